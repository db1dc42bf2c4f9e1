from django.db import models

from apps.core.models import OrganizationScopedModel


class SearchStep(OrganizationScopedModel):
    """One step of a workflow's current SOP version, as search reads it.

    A database view over the workflows and their versions' steps (see the
    migration), so it is never out of date and nothing writes to it.
    """

    pk = models.CompositePrimaryKey("workflow", "number")
    # Rows vanish with their workflow; the ORM must never try to delete them.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    workflow = models.ForeignKey(
        "workflows.Workflow",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    number = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        managed = False
        db_table = "web_search_step"
        ordering = ["workflow", "number"]

    def __str__(self):
        return f"{self.workflow_id} step {self.number}"
