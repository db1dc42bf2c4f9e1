"""The whole path a new team takes, in Chromium against the live server.

Sign up, confirm the address from the mail, connect the extension, upload a
recording through the API with the token, and find it on the dashboard.
Every click, key entry and opened link counts as one action, so the test
states how many a person needs from the sign-up page to a first recorded
step.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from apps.accounts.models import ApiToken, Membership, Role
from tests import factories
from tests.browser.conftest import axe, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(settings.BASE_DIR, "apps/recordings/samples/network-outage.json")
# What a person does between the sign-up page and the first recorded step,
# at most: the leading product needs about 18 actions for the same.
MAX_ACTIONS_TO_FIRST_STEP = 10


class Actions:
    """Count what a person does: every click, fill and typed URL."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def goto(self, url):
        self.count += 1
        return self.page.goto(url)

    def fill(self, label, value):
        self.count += 1
        self.page.get_by_label(label, exact=True).fill(value)

    def click(self, role, name):
        self.count += 1
        self.page.get_by_role(role, name=name).click()


def _mailed_link(live_server):
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+", body)[0].replace(
        "http://testserver", live_server.url
    )


def _sign_up(act, live_server):
    act.goto("/accounts/signup/")
    act.fill("Email:", "dana@example.test")
    act.fill("Password:", factories.PASSWORD)
    act.fill("Password (again):", factories.PASSWORD)
    act.click("button", "Create account")
    act.page.get_by_role("heading", name="Check your email").wait_for()
    shoot(act.page, "flow-verification-sent")

    act.goto(_mailed_link(live_server))
    shoot(act.page, "flow-confirm-email")
    act.click("button", "Confirm")
    act.page.wait_for_url("**/dashboard/")


def test_new_team_connects_and_sees_its_first_recording(page, live_server):
    act = Actions(page)

    _sign_up(act, live_server)
    membership = Membership.objects.get(user__email="dana@example.test")
    assert membership.role == Role.OWNER
    assert axe(page) == []
    shoot(page, "flow-dashboard-empty")

    page.evaluate(
        "() => { window.seen = []; window.addEventListener('message', (e) => {"
        " if (e.data.type === 'ledgerium:connect') window.seen.push(e.data); }); }"
    )
    act.click("button", "Connect the extension")
    page.wait_for_function("() => window.seen.length === 1")
    token = page.evaluate("() => window.seen[0].token")
    assert ApiToken.objects.get(token_hash=ApiToken.hash(token)).user == (
        membership.user
    )
    # The extension now records: its icon, then Record, then the agent's
    # own first step in the ticket.
    actions_to_first_step = act.count + 2
    print(f"actions from sign-up to a first recorded step: {actions_to_first_step}")
    assert actions_to_first_step <= MAX_ACTIONS_TO_FIRST_STEP

    document = json.loads(SAMPLE.read_text())
    headers = {"Authorization": f"Bearer {token}"}
    created = page.request.post("/api/v1/recordings/", data=document, headers=headers)
    assert created.status in (200, 201), created.text()
    finished = page.request.post(
        f"/api/v1/recordings/{document['id']}/finish/",
        data={"finished_at": document["finished_at"]},
        headers=headers,
    )
    assert finished.status == 200, finished.text()

    page.goto("/dashboard/")
    page.locator('[data-item^="recording:"]').get_by_text(document["title"]).wait_for()
    shoot(page, "flow-dashboard-recording")
