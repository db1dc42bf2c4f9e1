from django.db import models

from apps.core.models import OrganizationScopedModel


class SearchRow(OrganizationScopedModel):
    """A numbered text that search reads, one per step.

    On PostgreSQL a table that triggers keep in step with the runs, versions
    and workflows, each row with its indexed words (migration ``0007``); on
    SQLite a view. Rows vanish with what they were read from; the ORM must
    never write or delete them.
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    number = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        abstract = True


class SearchStep(SearchRow):
    """One step of a workflow's current SOP version, as search reads it.

    Written with the steps of the version a workflow has as current, in the
    same statement, so it is never out of date; nothing else writes to it.
    """

    pk = models.CompositePrimaryKey("workflow", "number")
    workflow = models.ForeignKey(
        "workflows.Workflow",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        managed = False
        db_table = "web_search_step"
        ordering = ["workflow", "number"]

    def __str__(self):
        return f"{self.workflow_id} step {self.number}"


class SearchRecordedStep(SearchRow):
    """One step of a run as it was recorded, as search reads it.

    Written with the run's stored steps, in the same statement: a recording
    is found by what its agent did, even where the SOP was written from
    another run. Waits are left out and the other steps are numbered as the
    SOP numbers them.
    """

    pk = models.CompositePrimaryKey("recording", "number")
    recording = models.ForeignKey(
        "recordings.Recording",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        managed = False
        db_table = "web_search_recorded_step"
        ordering = ["recording", "number"]

    def __str__(self):
        return f"{self.recording_id} step {self.number}"
