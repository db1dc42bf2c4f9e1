import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import OrganizationScopedModel


class RecordingStatus(models.TextChoices):
    RECORDING = "recording", _("Recording")
    FINISHED = "finished", _("Finished")
    DISCARDED = "discarded", _("Discarded")


class Recording(OrganizationScopedModel):
    """One captured run in the browser; its id is chosen by the client.

    Times come twice: as the client's clock said (``*_client_ms``) and
    corrected by ``clock_offset_ms`` (server time minus client time).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format_version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=40, default="incident")
    agent = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="recordings",
    )
    client_name = models.CharField(max_length=80, blank=True)
    client_version = models.CharField(max_length=40, blank=True)
    client_browser = models.CharField(max_length=80, blank=True)
    started_client_ms = models.BigIntegerField(null=True, blank=True)
    finished_client_ms = models.BigIntegerField(null=True, blank=True)
    clock_offset_ms = models.IntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16,
        choices=RecordingStatus.choices,
        default=RecordingStatus.RECORDING,
    )
    privacy = models.JSONField(
        default=dict, blank=True, help_text=_("The client's privacy receipt.")
    )
    server_redactions = models.JSONField(
        default=dict, blank=True, help_text=_("What the server redacted, per rule.")
    )
    final_gaps = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Missing sequence ranges the client declared final."),
    )
    dropped_seqs = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "Sequence numbers not kept: dropped by the agent in review, or by "
            "the server as its own pages."
        ),
    )
    truncated = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The recording's own fields shortened to their limit."),
    )
    event_count = models.PositiveIntegerField(default=0)
    highest_seq = models.PositiveIntegerField(default=0)
    last_seq = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The last sequence number, once known.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the server accepted the finish.")
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organization", "-created_at"], name="recording_org_created"
            )
        ]

    def __str__(self):
        return self.title or str(self.id)

    @property
    def is_open(self):
        return self.status == RecordingStatus.RECORDING


class Event(OrganizationScopedModel):
    """One stored event; order is ``seq``, never arrival.

    ``data`` holds the whole event as redacted and cut, in the recording
    format; ``seq``, ``client_ts``, ``ts`` and ``type`` are copied out of it
    into columns so that ordering and simple queries need no JSON. A narrow
    row with one index keeps COPY fast.
    """

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    recording = models.ForeignKey(
        Recording, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    client_ts = models.BigIntegerField(help_text=_("Milliseconds, client clock."))
    ts = models.BigIntegerField(help_text=_("Milliseconds, corrected."))
    type = models.CharField(max_length=32)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "seq"], name="event_unique_seq"
            )
        ]
        ordering = ["recording", "seq"]

    def __str__(self):
        return f"{self.recording_id}#{self.seq} {self.type}"


class RawBatch(OrganizationScopedModel):
    """A batch as received, kept until its events are stored.

    A crash between receiving and storing leaves this row behind; the next
    append or the finish of the recording replays it.
    """

    recording = models.ForeignKey(
        Recording, on_delete=models.CASCADE, related_name="raw_batches", db_index=False
    )
    digest = models.CharField(max_length=64)  # SHA-256 of the body
    body = models.BinaryField()  # the body as received, zlib-compressed
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(
                fields=["recording", "digest"], name="rawbatch_recording_digest"
            )
        ]
        verbose_name_plural = "raw batches"

    def __str__(self):
        return f"{self.recording_id} {self.digest[:12]}"
