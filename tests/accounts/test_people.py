from apps.accounts.models import User
from apps.accounts.people import display_name


def test_display_name_is_the_name_else_the_email_local_part():
    assert display_name(User(name=" Priya Raman ", email="p@acme.example")) == (
        "Priya Raman"
    )
    assert display_name(User(name="", email="priya.raman@acme.example")) == (
        "priya.raman"
    )
