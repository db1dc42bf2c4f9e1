"""The top bar's Settings link, and addresses on the members page."""

import pytest

from apps.accounts.templatetags.people_tags import breakable_email

pytestmark = pytest.mark.django_db

SETTINGS = '<a href="/settings/members/"{current}>Settings</a>'


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/settings/members/", ' aria-current="page"'),
        ("/settings/profile/", ' aria-current="true"'),
        ("/workflows/systems/", ' aria-current="true"'),
        ("/dashboard/", ""),
    ],
)
def test_settings_link_marks_every_settings_page(owner_client, path, current):
    page = owner_client.get(path).content.decode()

    assert SETTINGS.format(current=current) in page


def test_members_page_lets_an_address_wrap_at_its_at_sign(owner_client, owner):
    page = owner_client.get("/settings/members/").content.decode()
    local, domain = owner.email.split("@")

    assert f"{local}<wbr>@{domain}" in page


def test_breakable_email_escapes_every_part():
    assert breakable_email("<a>@b.c") == "&lt;a&gt;<wbr>@b.c"
    assert breakable_email("no-at-<sign>") == "no-at-&lt;sign&gt;"
