from django.db import models


class OrganizationQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)


class OrganizationScopedModel(models.Model):
    """Base of every model that belongs to an organization.

    Reach rows only through ``Model.objects.for_organization(organization)``
    or the helpers in ``apps.core.selectors``.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        abstract = True
