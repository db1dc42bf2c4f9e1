import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.models import OrganizationScopedModel
from apps.workflows.models import State

# 24 random bytes: 192 bits, past the 128 the link must withstand guessing.
TOKEN_BYTES = 24


class ShareLink(OrganizationScopedModel):
    """A public, read-only, revocable link to one workflow's SOP.

    Only the SHA-256 of the token is stored, so the database alone cannot
    open a link. The password, when set, is kept as a Django password hash.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="share_links"
    )
    workflow = models.ForeignKey(
        "workflows.Workflow", on_delete=models.CASCADE, related_name="share_links"
    )
    # Empty: the link follows the workflow's current version, edits included.
    sop_version = models.ForeignKey(
        "workflows.SopVersion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="share_links",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    include_report = models.BooleanField(default=False)
    # Off: the page calls people "the agent" or "Agent A", "Agent B".
    show_names = models.BooleanField(default=False)
    password_hash = models.CharField(max_length=128, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="share_links",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.label or f"Share link {self.pk}"

    @property
    def has_password(self):
        return bool(self.password_hash)

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self):
        return self.revoked_at is None and not self.is_expired

    @staticmethod
    def generate():
        return secrets.token_urlsafe(TOKEN_BYTES)

    @staticmethod
    def hash(raw):
        return hashlib.sha256(raw.encode()).hexdigest()


class SharedPdf(OrganizationScopedModel):
    """The PDF a share link gives, made once per version and link settings.

    Every link of the organization to ``sop_version`` with the same
    ``show_names`` and ``include_report`` gives the same PDF, so they share
    one row. ``digest`` hashes the rows it was made from (see
    ``selectors.shared_document_inputs``), so it changes when the people a
    hidden name stands for, the runs or the workflow's edits do.
    Links reach a row only through their own organization, version and
    settings; a revoked or expired link reaches none.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="shared_pdfs"
    )
    sop_version = models.ForeignKey(
        "workflows.SopVersion", on_delete=models.CASCADE, related_name="shared_pdfs"
    )
    show_names = models.BooleanField()
    include_report = models.BooleanField()
    digest = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.BinaryField(null=True, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    # False: the map failed to draw and the PDF went without it.
    whole = models.BooleanField(default=True)
    failure = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sop_version", "show_names", "include_report"],
                name="shared_pdf_unique_settings",
            )
        ]

    def __str__(self):
        return f"Shared PDF of version {self.sop_version_id} ({self.state})"
