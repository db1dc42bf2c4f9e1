from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import OrganizationScopedModel


class Incident(OrganizationScopedModel):
    """A ticket of the organization's ITSM history, with its measures."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        RECORDING = "recording", _("Recorded")

    number = models.CharField(max_length=64)
    source = models.CharField(
        max_length=16, choices=Source.choices, default=Source.IMPORT
    )
    state = models.CharField(max_length=64)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField()
    category = models.CharField(max_length=120, blank=True)
    subcategory = models.CharField(max_length=120, blank=True)
    symptom = models.CharField(max_length=120, blank=True)
    cmdb_ci = models.CharField(max_length=120, blank=True)
    impact = models.CharField(max_length=64, blank=True)
    urgency = models.CharField(max_length=64, blank=True)
    priority = models.CharField(max_length=64, blank=True)
    contact_type = models.CharField(max_length=64, blank=True)
    assignment_group = models.CharField(max_length=120, blank=True)
    # The last assignee an update named: an update without one (the export's
    # "?") leaves the incident with the one before, unless that one was
    # another group's.
    assigned_to = models.CharField(max_length=120, blank=True)
    made_sla = models.BooleanField(null=True)
    reassignments = models.PositiveIntegerField(default=0)
    resolution_ms = models.BigIntegerField(null=True, blank=True)
    # Milliseconds per state and the handoffs, as computed by ``history``.
    time_in_state = models.JSONField(default=dict)
    handoffs = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="incident_unique_number"
            )
        ]
        indexes = [models.Index(fields=["organization", "state"])]
        ordering = ["number"]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.state not in ("Resolved", "Closed")


class IncidentUpdate(OrganizationScopedModel):
    """One row of the audit export: the incident as it stood after an update."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates"
    )
    sequence = models.PositiveIntegerField()
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=64)
    assignment_group = models.CharField(max_length=120, blank=True)
    assigned_to = models.CharField(max_length=120, blank=True)
    priority = models.CharField(max_length=64, blank=True)
    made_sla = models.BooleanField(null=True)
    reassignment_count = models.PositiveIntegerField(null=True)
    mod_count = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "sequence"], name="incident_update_unique_sequence"
            )
        ]
        ordering = ["incident", "sequence"]

    def __str__(self):
        return f"{self.incident_id} #{self.sequence}: {self.state}"


class IncidentImport(OrganizationScopedModel):
    """One import of an incident export, and the history report built after it.

    The report is built once per import by a task, from the incidents as the
    import left them, and served as stored until the next import lands.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        # A newer import's report covers this one's; nothing is stored.
        SUPERSEDED = "superseded", _("Superseded")

    number = models.PositiveIntegerField()
    incidents = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    # ``Report.to_json()`` as built, byte for byte, for the downloads; the
    # page shows the report as rendered once, with the counts and the median
    # gap between updates: reading the whole JSON back would cost seconds.
    report = models.TextField(blank=True)
    report_html = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    update_gap_ms = models.FloatField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # The ``REPORT_VERSION`` the stored report was built under; an older one
    # is built again, and served meanwhile.
    report_version = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="incident_import_unique_number"
            )
        ]
        ordering = ["-number"]

    def __str__(self):
        return f"{self.organization_id} import {self.number}"

    @property
    def busy(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)
