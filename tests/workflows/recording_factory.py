"""Build recordings in the recording format, for tests and benchmarks.

``network_outage()`` is the realistic incident stored as
``apps/recordings/samples/network-outage.json``; ``synthetic()`` makes
recordings of any size from a seed, the same bytes for the same arguments.
"""

import random

import msgspec

from apps.recordings import format

START_MS = 1_764_835_200_000  # 2025-12-04 08:00 UTC
# The sample incident is dated with the other samples, in November 2026.
OUTAGE_START_MS = 1_794_470_400_000  # 2026-11-12 08:00 UTC

SNOW = "https://acme.service-now.com"
GRAFANA = "https://grafana.acme-corp.net"
PROMETHEUS = "https://prometheus.acme-corp.net"
NETADMIN = "https://netadmin.acme-corp.net"
SLACK = "https://app.slack.com"
KIBANA = "https://kibana.acme-corp.net"


class RecordingBuilder:
    """Append events one after another; ``after`` is milliseconds since the last."""

    def __init__(self, start_ms=START_MS):
        self.events = []
        self.ts = start_ms
        self.start_ms = start_ms

    def add(self, type_, after=1_000, **fields):
        self.ts += after
        event = format.Event(
            seq=len(self.events) + 1, ts=self.ts, type=format.EventType(type_), **fields
        )
        self.events.append(event)
        return self

    def nav(self, origin, path, title, after=2_000, nav="load", **fields):
        return self.add(
            "navigation",
            after,
            origin=origin,
            path=path,
            title=title,
            nav=format.NavigationKind(nav),
            **fields,
        )

    def click(self, name, role="button", after=2_000, **fields):
        return self.add("click", after, name=name, role=role, **fields)

    def edit(self, label, after=4_000, kind="text", **fields):
        return self.add(
            "field_edited",
            after,
            label=label,
            name=fields.pop("name", label.lower().replace(" ", "_")),
            field_kind=format.FieldKind(kind),
            **fields,
        )

    def choose(self, label, value, after=3_000, kind="select", **fields):
        return self.add(
            "choice_made",
            after,
            label=label,
            name=label.lower().replace(" ", "_"),
            value=value,
            field_kind=format.FieldKind(kind),
            **fields,
        )

    def submit(self, name="", after=1_500, **fields):
        return self.add("form_submitted", after, name=name, **fields)

    def note(self, text, after=20_000, **fields):
        return self.add("note_added", after, note=text, **fields)

    def phase(self, phase, after=500, **fields):
        return self.add("phase_marked", after, phase=format.Phase(phase), **fields)

    def recording(self, **fields):
        return format.Recording(
            events=self.events,
            started_at=self.start_ms,
            finished_at=self.ts + 1_000,
            **fields,
        )


def network_outage():
    """Return the sample incident: a site loses its network, all five phases."""
    b = RecordingBuilder(start_ms=OUTAGE_START_MS)
    _outage_log(b)
    _outage_triage(b)
    _outage_investigate(b)
    _outage_resolve(b)
    _outage_close(b)
    return b.recording(
        id="8f2d6c1e-5b7a-4c39-9e0f-2a6b1d4c7e91",
        title="Berlin office lost network access",
        kind="incident",
        agent="Sam Keller",
        client=format.Client(version="0.1.0", browser="Chromium 156"),
        privacy=format.PrivacyReceipt(
            redactions={"email": 2, "phone": 1},
            skipped_fields=["password"],
            uninstrumented=[
                format.Uninstrumented(
                    origin="https://vpn.acme-corp.net",
                    reason="not in the recorded sites",
                )
            ],
        ),
    )


def _outage_log(b):
    sn = {"tab": 1, "origin": SNOW}
    b.nav(SNOW, "/now/nav/ui/home", "ServiceNow", after=0, tab=1)
    b.nav(SNOW, "/now/nav/ui/home/landing", "Home | ServiceNow", 900, "replace", tab=1)
    b.click("Incidents", "link", 6_000, **sn, path="/now/nav/ui/home/landing")
    b.nav(
        SNOW,
        "/now/nav/ui/classic/incident_list.do",
        "Incidents | ServiceNow",
        700,
        "push",
        tab=1,
    )
    b.click("New", "button", 5_000, **sn, path="/now/nav/ui/classic/incident_list.do")
    b.click("New", "button", 400, **sn, path="/now/nav/ui/classic/incident_list.do")
    new = "/now/nav/ui/classic/incident.do/new"
    b.nav(SNOW, new, "Create Incident | ServiceNow", 800, "push", tab=1)
    b.edit("Caller", 6_000, "combobox", **sn, path=new)
    b.edit("Caller", 1_500, "combobox", **sn, path=new)
    b.choose("Channel", "Phone", 3_000, **sn, path=new)
    b.edit("Short description", 5_000, **sn, path=new)
    b.edit("Short description", 2_000, **sn, path=new)
    b.edit("Description", 12_000, "textarea", **sn, path=new)
    b.click("Submit", "button", 3_000, **sn, path=new)
    b.submit("Submit", 200, **sn, path=new)
    inc = "/now/nav/ui/classic/incident.do/4f1c9a"
    b.nav(SNOW, inc, "INC0012345 | ServiceNow", 1_200, "push", tab=1)


def _outage_triage(b):
    inc = "/now/nav/ui/classic/incident.do/4f1c9a"
    sn = {"tab": 1, "origin": SNOW, "path": inc}
    b.add("tab_opened", 4_000, tab=2, opener_tab=1)
    b.nav(
        GRAFANA,
        "/d/core-net/core-network",
        "Core network - Dashboards - Grafana",
        1_500,
        tab=2,
    )
    b.choose(
        "Time range",
        "Last 1 hour",
        6_000,
        "listbox",
        tab=2,
        origin=GRAFANA,
        path="/d/core-net/core-network",
    )
    b.click(
        "Berlin site uplink",
        "link",
        8_000,
        tab=2,
        origin=GRAFANA,
        path="/d/core-net/core-network",
    )
    b.nav(
        GRAFANA,
        "/d/core-net/core-network/berlin",
        "Berlin site uplink - Dashboards - Grafana",
        900,
        "push",
        tab=2,
    )
    b.add(
        "tab_switched",
        20_000,
        tab=1,
        origin=SNOW,
        path=inc,
        title="INC0012345 | ServiceNow",
    )
    b.choose("Impact", "2 - Medium", 4_000, **sn)
    b.choose("Urgency", "2 - Medium", 2_000, **sn)
    b.choose("Urgency", "1 - High", 2_500, **sn)
    b.choose("Priority", "2 - High", 800, **sn)
    b.choose("Category", "Network", 4_000, **sn)
    b.choose("Subcategory", "Connectivity", 2_500, **sn)
    b.choose("Assignment group", "Network", 6_000, "combobox", **sn)
    b.choose("Assigned to", "Dana Wright", 4_000, "combobox", **sn)
    b.choose("State", "In Progress", 3_000, **sn)
    b.click("Update", "button", 2_000, **sn)
    b.submit("Update", 150, **sn)
    b.nav(SNOW, inc, "INC0012345 | ServiceNow", 1_100, "load", tab=1)


def _outage_investigate(b):
    b.phase("investigate", 2_000, tab=1)
    b.add("tab_opened", 1_000, tab=3, opener_tab=1)
    b.nav(
        PROMETHEUS,
        "/graph",
        "Prometheus Time Series Collection and Processing Server",
        300,
        tab=3,
    )
    b.nav(
        PROMETHEUS,
        "/classic/graph",
        "Prometheus Time Series Collection and Processing Server",
        400,
        "replace",
        tab=3,
    )
    prom = {"tab": 3, "origin": PROMETHEUS, "path": "/classic/graph"}
    b.edit("Expression", 9_000, "textarea", **prom)
    b.edit("Expression", 3_000, "textarea", **prom)
    b.click("Execute", "button", 1_000, **prom)
    b.click("Graph", "tab", 5_000, **prom)
    b.add("tab_opened", 3_000, tab=4, opener_tab=3)
    b.nav(KIBANA, "/app/discover", "Discover - Elastic", 1_000, tab=4)
    kib = {"tab": 4, "origin": KIBANA, "path": "/app/discover"}
    b.edit("Search", 8_000, "text", role="searchbox", **kib)
    b.submit("", 500, **kib)
    b.click("core-sw-01 link down", "link", 7_000, **kib)
    b.nav(
        KIBANA, "/app/discover/doc/core-sw-01", "Document - Elastic", 600, "push", tab=4
    )
    b.add("tab_opened", 4_000, tab=5, opener_tab=4)
    b.nav(
        SLACK, "/client/T01/C-netops", "netops (Channel) - Acme - Slack", 1_000, tab=5
    )
    b.click("Huddle", "button", 6_000, tab=5, origin=SLACK, path="/client/T01/C-netops")
    b.note(
        "Called the Berlin site lead: the core switch lost power during "
        "last night's maintenance and came back with its uplink ports disabled.",
        after=90_000,
        tab=5,
    )


def _outage_resolve(b):
    b.phase("resolve", 3_000, tab=5)
    b.add("tab_opened", 1_000, tab=6, opener_tab=5)
    hint = {"system": "Network admin console", "system_kind": format.SystemKind.ADMIN}
    b.nav(NETADMIN, "/login", "Sign in - Network admin", 800, tab=6, **hint)
    login = {"tab": 6, "origin": NETADMIN, "path": "/login", **hint}
    b.edit("Username", 5_000, **login)
    b.edit("Password", 3_000, "text", name="password", **login)
    b.click("Sign in", "button", 1_000, **login)
    b.submit("Sign in", 100, **login)
    b.nav(NETADMIN, "/devices", "Devices - Network admin", 1_200, tab=6, **hint)
    b.click(
        "core-sw-01", "link", 6_000, tab=6, origin=NETADMIN, path="/devices", **hint
    )
    dev = "/devices/core-sw-01"
    b.nav(NETADMIN, dev, "core-sw-01 - Network admin", 700, "push", tab=6, **hint)
    b.click("Ports", "tab", 4_000, tab=6, origin=NETADMIN, path=dev, **hint)
    b.choose(
        "Uplink ports 49-52 enabled",
        "",
        7_000,
        "checkbox",
        checked=True,
        tab=6,
        origin=NETADMIN,
        path=dev,
        **hint,
    )
    b.click("Apply", "button", 3_000, tab=6, origin=NETADMIN, path=dev, **hint)
    b.submit("Apply", 100, tab=6, origin=NETADMIN, path=dev, **hint)
    b.add(
        "tab_switched",
        30_000,
        tab=2,
        origin=GRAFANA,
        path="/d/core-net/core-network/berlin",
        title="Berlin site uplink - Dashboards - Grafana",
    )
    b.click(
        "Refresh dashboard",
        "button",
        2_000,
        tab=2,
        origin=GRAFANA,
        path="/d/core-net/core-network/berlin",
    )
    inc = "/now/nav/ui/classic/incident.do/4f1c9a"
    sn = {"tab": 1, "origin": SNOW, "path": inc}
    b.add(
        "tab_switched",
        15_000,
        tab=1,
        origin=SNOW,
        path=inc,
        title="INC0012345 | ServiceNow",
    )
    b.click("Resolution Information", "tab", 3_000, **sn)
    b.choose("Resolution code", "Solved (Permanently)", 4_000, **sn)
    b.edit("Resolution notes", 15_000, "textarea", **sn)
    b.choose("State", "Resolved", 3_000, **sn)
    b.click("Update", "button", 2_000, **sn)
    b.submit("Update", 150, **sn)
    b.nav(SNOW, inc, "INC0012345 | ServiceNow", 1_000, "load", tab=1)


def _outage_close(b):
    b.add(
        "tab_switched",
        600_000,
        tab=5,
        origin=SLACK,
        path="/client/T01/C-netops",
        title="netops (Channel) - Acme - Slack",
    )
    b.note(
        "The Berlin site lead confirmed that every floor is back online.", 30_000, tab=5
    )
    inc = "/now/nav/ui/classic/incident.do/4f1c9a"
    sn = {"tab": 1, "origin": SNOW, "path": inc}
    b.phase("close", 4_000, tab=5)
    b.add(
        "tab_switched",
        4_000,
        tab=1,
        origin=SNOW,
        path=inc,
        title="INC0012345 | ServiceNow",
    )
    b.choose("State", "Closed", 4_000, **sn)
    b.edit("Close notes", 10_000, "textarea", **sn)
    b.click("Update", "button", 2_000, **sn)
    b.submit("Update", 150, **sn)
    b.nav(
        SNOW,
        "/now/nav/ui/classic/incident_list.do",
        "Incidents | ServiceNow",
        1_000,
        "push",
        tab=1,
    )


# -- Synthetic recordings ------------------------------------------------------

HOSTILE = (
    "He said \"quoted\" and 'single'",
    "brackets [a] (b) {c} <d>",
    "end",
    "#frag; #quot; &amp; &lt;",
    "semi; colon: pipe | arrow -->",
    "<b>bold</b><script>alert(1)</script>",
    "emoji 🚨🔥✅",
    "عطل في الشبكة",
    "רשת למטה",
    "back`tick` and \\slash",
    "graph TD; A-->B",
    "%% comment %%",
    "subgraph x",
    "click a call b()",
    "style a fill:#f00",
)

SYSTEMS = (
    (SNOW, "itsm"),
    (GRAFANA, "monitoring"),
    (PROMETHEUS, "monitoring"),
    (KIBANA, "monitoring"),
    (NETADMIN, "admin"),
    (SLACK, "communication"),
)
FIELDS = (
    ("Priority", ("1 - Critical", "2 - High", "3 - Moderate", "4 - Low")),
    ("Category", ("Network", "Hardware", "Software", "Database")),
    ("Assignment group", ("Network", "Service Desk", "Database", "Windows")),
    ("Assigned to", ("Dana Wright", "Lee Park", "Ana Silva")),
    ("State", ("In Progress", "On Hold", "Resolved", "Closed")),
)


def synthetic(events=100, *, seed=1, hostile=False):
    """Return a recording of about ``events`` events across all phases."""
    rng = random.Random(seed)
    b = RecordingBuilder()
    words = HOSTILE if hostile else ("dashboard", "host", "switch", "queue", "report")
    phases = list(format.Phase)
    per_phase = max(1, events // len(phases))
    for phase in phases:
        b.phase(phase.value, 200, tab=1)
        while len(b.events) < per_phase * (phases.index(phase) + 1):
            _synthetic_action(b, rng, words)
    return b.recording(
        id=f"00000000-0000-4000-8000-{seed:012d}",
        title=rng.choice(words) if hostile else f"Synthetic incident {seed}",
        agent="Synthetic agent",
    )


def _synthetic_action(b, rng, words):
    origin, kind = rng.choice(SYSTEMS)
    tab = SYSTEMS.index((origin, kind)) + 1
    word = rng.choice(words)
    path = f"/page/{rng.randrange(50)}"
    page = {"tab": tab, "origin": origin, "path": path}
    roll = rng.random()
    if roll < 0.3:
        ticket = f"INC{rng.randrange(10**6):07d}" if kind == "itsm" else ""
        b.nav(
            origin, path, f"{ticket} {word}".strip(), rng.randrange(500, 9_000), tab=tab
        )
    elif roll < 0.5:
        b.click(
            word,
            rng.choice(("button", "link", "tab")),
            rng.randrange(300, 6_000),
            **page,
        )
    elif roll < 0.7:
        b.edit(f"{word} field", rng.randrange(1_000, 9_000), **page)
    elif roll < 0.85:
        label, values = rng.choice(FIELDS)
        value = rng.choice(values + (word,))
        b.choose(label, value, rng.randrange(1_000, 6_000), **page)
    elif roll < 0.95:
        b.submit(word, rng.randrange(200, 3_000), **page)
    elif roll < 0.98:
        b.note(f"{word} note", rng.randrange(5_000, 60_000), tab=tab)
    else:
        b.add("tab_switched", rng.randrange(5_000, 300_000), **page, title=word)


def encode(recording):
    """Return the recording as pretty JSON bytes."""
    return msgspec.json.format(msgspec.json.encode(recording), indent=2) + b"\n"
