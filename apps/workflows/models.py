from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.models import OrganizationScopedModel


class State(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class SystemKind(models.TextChoices):
    ITSM = "itsm", _("ITSM")
    MONITORING = "monitoring", _("Monitoring and alerting")
    ADMIN = "admin", _("Admin and infrastructure")
    COMMUNICATION = "communication", _("Email and chat")
    OTHER = "other", _("Other")


class Workflow(OrganizationScopedModel):
    """A documented process: every run of it, and its SOP versions."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="workflows"
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=40, default="incident")
    reference_run = models.ForeignKey(
        "Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_version = models.ForeignKey(
        "SopVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    # The editor's changes, in order; each new version applies them again.
    edits = models.JSONField(default=list, blank=True)
    quota_month = models.DateField(
        null=True,
        blank=True,
        help_text=_(
            "The month whose quota counts this workflow; empty while it counts "
            "in none, as after its first build failed."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "-created_at"], name="workflow_org_created"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workflow_detail", kwargs={"workflow_id": self.pk})


class Run(OrganizationScopedModel):
    """One recording of a workflow, with the steps generated from it."""

    workflow = models.ForeignKey(
        Workflow, on_delete=models.CASCADE, related_name="runs"
    )
    recording = models.OneToOneField(
        "recordings.Recording", on_delete=models.CASCADE, related_name="workflow_run"
    )
    # Raised on every request to generate again; the task's idempotency key.
    generation = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    failure_reason = models.TextField(blank=True)
    steps = models.JSONField(default=list, blank=True)
    step_count = models.PositiveIntegerField(default=0)
    duration_ms = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.workflow} run {self.pk}"


class SopVersion(OrganizationScopedModel):
    """One version of a workflow's SOP, every artefact rendered once."""

    class Reason(models.TextChoices):
        GENERATED = "generated", _("Generated")
        EDITED = "edited", _("Edited")
        REGENERATED = "regenerated", _("Generated again")
        REFERENCE = "reference", _("New reference run")
        RESTORED = "restored", _("Restored")
        RUN_ADDED = "run_added", _("Another run added")

    workflow = models.ForeignKey(
        Workflow, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    key = models.CharField(
        max_length=120, help_text=_("What produced it; the same key is stored once.")
    )
    source_run = models.ForeignKey(
        Run, on_delete=models.SET_NULL, null=True, blank=True, related_name="versions"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    steps = models.JSONField(default=list)
    document = models.JSONField(default=dict)
    edits = models.JSONField(default=list, blank=True)
    skipped_edits = models.JSONField(default=list, blank=True)
    markdown = models.TextField()
    html = models.TextField()
    mermaid = models.TextField()
    svg = models.TextField(blank=True)
    bpmn = models.TextField()
    pdf = models.BinaryField(null=True, blank=True)
    render_state = models.CharField(
        max_length=16, choices=State.choices, default=State.QUEUED
    )
    render_failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "number"], name="sop_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["workflow", "key"], name="sop_version_unique_key"
            ),
        ]
        ordering = ["-number"]
        verbose_name = "SOP version"
        verbose_name_plural = "SOP versions"

    def __str__(self):
        return f"{self.workflow} v{self.number}"


class SystemRule(OrganizationScopedModel):
    """An organization's own host, named and given a kind of system."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="system_rules"
    )
    host_pattern = models.CharField(
        max_length=255,
        help_text=_("A host such as *.corp.example.com or netadmin.corp"),
    )
    path_prefix = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=SystemKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "host_pattern", "path_prefix"],
                name="system_rule_unique_host",
            )
        ]
        ordering = ["host_pattern", "path_prefix"]

    def __str__(self):
        return f"{self.host_pattern} → {self.name}"
