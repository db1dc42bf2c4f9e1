from apps.accounts.models import User
from apps.accounts.people import display_name, name_clean, name_with_email


def test_display_name_is_the_name_else_the_email_local_part():
    assert display_name(User(name=" Priya Raman ", email="p@acme.example")) == (
        "Priya Raman"
    )
    assert display_name(User(name="", email="priya.raman@acme.example")) == (
        "priya.raman"
    )


def test_name_with_email_gives_both_else_the_email_alone():
    assert name_with_email(User(name="Priya Raman", email="p@acme.example")) == (
        "Priya Raman (p@acme.example)"
    )
    assert name_with_email(User(name=" ", email="p@acme.example")) == ("p@acme.example")


def test_name_clean_keeps_one_line_without_control_characters():
    assert name_clean(" Priya\x00\x1b \tRaman\r\n\x7f") == "Priya Raman"
    assert name_clean("\n\t ") == ""
