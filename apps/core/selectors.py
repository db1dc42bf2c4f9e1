from django.core.exceptions import ValidationError
from django.http import Http404


def get_scoped_or_404(model_or_queryset, *, organization, **lookup):
    """Return the one row of ``organization`` matching ``lookup``, or raise 404.

    A row of another organization is indistinguishable from a missing one.
    """
    queryset = getattr(model_or_queryset, "objects", model_or_queryset)
    if organization is None:
        raise Http404
    if any(isinstance(value, str) and "\x00" in value for value in lookup.values()):
        # No stored text holds NUL, and PostgreSQL refuses it in a query.
        raise Http404
    try:
        return queryset.for_organization(organization).get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None
