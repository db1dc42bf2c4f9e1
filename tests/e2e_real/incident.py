"""Handle one IT incident the way a service-desk agent would, in a real browser.

The agent works a VPN outage in django-helpdesk and Prometheus: log the
ticket, triage it to the Network team, investigate in Prometheus, record the
fix and close. Every text the agent types carries a unique random marker, so
a test can prove that typed text never leaves the browser.

``perform`` drives Playwright pages only. What the recorder is told (phase
marks and the note) goes through ``Recorder``, which the caller provides.
"""

import re
import secrets
from dataclasses import dataclass, field

SERVICE = "vpn-gateway"
PHASES = ("log", "triage", "investigate", "resolve", "close")
NOTE = "called the network team on the bridge"
GRAPHS_LINK = "VPN gateway graphs"
# What the agent names the recording in the popup, which is not the helpdesk.
TITLE = "VPN drops for remote users"

# Playwright's own waits cover each action; this bounds every one of them.
ACTION_TIMEOUT_MS = 15_000


def marker():
    """Return a fresh marker: lowercase letters and digits, unlikely anywhere."""
    return f"zq{secrets.token_hex(6)}"


@dataclass(frozen=True)
class Choices:
    """What the agent decides at triage, as the helpdesk labels it."""

    priority: str = "2. High"
    queue: str = "Network"
    owner: str = "nina.network"
    owner_name: str = "Nina Network"
    start_queue: str = "Service Desk"


@dataclass
class Typed:
    """Everything the agent types, each text holding its own marker."""

    markers: dict = field(default_factory=dict)

    def text(self, purpose, template):
        token = marker()
        self.markers[purpose] = token
        return template.replace("{m}", token)


class Recorder:
    """What the agent tells the recorder; the base class does nothing."""

    def mark_phase(self, phase):
        pass

    def add_note(self, text):
        pass


@dataclass
class Outcome:
    ticket_id: int
    ticket_url: str
    typed: Typed
    choices: Choices
    queries: list


def perform(page, *, helpdesk, prometheus, recorder, choices=None):
    """Work the incident from ``page``, logged in to the helpdesk already."""
    choices = choices or Choices()
    typed = Typed()
    page.set_default_timeout(ACTION_TIMEOUT_MS)

    recorder.mark_phase("log")
    ticket_url = log_ticket(page, helpdesk, prometheus, typed, choices)
    ticket_id = int(re.search(r"/tickets/(\d+)/", ticket_url).group(1))

    recorder.mark_phase("triage")
    triage(page, choices)

    recorder.mark_phase("investigate")
    queries = investigate(page, typed, recorder)

    recorder.mark_phase("resolve")
    respond(page, typed.text("fix", "Reset uplink0 on the VPN gateway {m}"), "Resolved")

    recorder.mark_phase("close")
    respond(page, typed.text("close", "User confirmed the VPN is stable {m}"), "Closed")
    return Outcome(ticket_id, ticket_url, typed, choices, queries)


def log_in(page, helpdesk, *, username, password):
    """Sign in before the incident starts, as an agent's day begins."""
    page.goto(f"{helpdesk}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def log_ticket(page, helpdesk, prometheus, typed, choices):
    page.goto(f"{helpdesk}/dashboard/")
    page.get_by_role("link", name="New Ticket").first.click()
    page.wait_for_url(re.compile(r"/tickets/submit/"))

    choose(page, page.get_by_label("Queue"), choices.start_queue)
    page.get_by_label("Summary of the problem").fill(
        typed.text("summary", "VPN drops every few minutes {m}")
    )
    # The alert's link to the graphs goes into the description, as a
    # monitoring integration would put it there.
    page.get_by_label("Description of your issue").fill(
        typed.text(
            "description",
            f"Affected service: {SERVICE}. Remote users lose the tunnel {{m}}\n\n"
            f"[{GRAPHS_LINK}]({prometheus}/graph)",
        )
    )
    page.get_by_role("button", name="Submit Ticket").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    return page.url


def triage(page, choices):
    page.locator("#respond-tab").click()
    page.get_by_role("button", name="Update ticket details").click()
    choose(page, page.locator("#id_owner"), choices.owner)
    choose(page, page.locator("#id_priority"), choices.priority)
    choose(page, page.locator("#id_queue"), choices.queue)
    save(page)


def investigate(page, typed, recorder):
    """Open Prometheus in a new tab, run two queries, read one as a graph."""
    helpdesk_page = page
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=GRAPHS_LINK).first.click(modifiers=["Control"])
    page = opened.value
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.bring_to_front()
    page.wait_for_url(re.compile(r"/classic/graph"))

    errors = typed.text(
        "query_errors",
        f'rate(interface_errors_total{{service="{SERVICE}",job!="{{m}}"}}[1m])',
    )
    run_query(page, errors)
    page.get_by_role("tab", name="Graph").first.click()
    page.locator(".graph_container svg, .graph_container canvas").first.wait_for()

    latency = typed.text(
        "query_latency", f'probe_latency_seconds{{service="{SERVICE}",job!="{{m}}"}}'
    )
    run_query(page, latency)
    page.get_by_role("tab", name="Console").first.click()
    page.locator(".console_table").first.wait_for()
    recorder.add_note(NOTE)

    helpdesk_page.bring_to_front()
    return [errors, latency]


def choose(page, select, label):
    """Pick ``label`` in a ``<select>`` with the mouse and keyboard, as a person.

    Playwright's ``select_option`` fires untrusted events, which the recorder
    rightly ignores; opening the list and moving to the option does not.
    """
    labels, current = select.evaluate(
        "el => [Array.from(el.options, (o) => o.label.trim()), el.selectedIndex]"
    )
    target = labels.index(label)
    select.click()
    key = "ArrowDown" if target > current else "ArrowUp"
    for _ in range(abs(target - current)):
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    chosen = select.evaluate("el => el.options[el.selectedIndex].label.trim()")
    if chosen != label:
        raise AssertionError(f"Chose {chosen!r} instead of {label!r}.")


def run_query(page, expression):
    box = page.locator("#expr0")
    box.fill(expression)
    page.get_by_role("button", name="Execute").first.click()
    page.locator("#graph_wrapper0, .console_table").first.wait_for()


def respond(page, comment, status):
    page.locator("#respond-tab").click()
    page.get_by_label("Comment / Resolution").fill(comment)
    page.get_by_label(status, exact=True).check()
    save(page)


def respond_form(page):
    return page.locator("form", has=page.locator("#commentBox"))


def save(page):
    with page.expect_navigation():
        respond_form(page).get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
