"""Organizations on a plan with incident-history import, which most tests use.

Tests of a plan without it make their organization with
``organization_factory`` from ``tests/conftest.py``.
"""

import pytest

from tests import factories


@pytest.fixture
def organization(organization):
    return factories.incident_history_allow(organization)


@pytest.fixture
def other_organization(other_organization):
    return factories.incident_history_allow(other_organization)
