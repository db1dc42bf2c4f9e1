from tests.reports.factories import incident_create
from tests.tenancy import provides


@provides("number")
def incident_number(organization):
    return incident_create(organization=organization).number
