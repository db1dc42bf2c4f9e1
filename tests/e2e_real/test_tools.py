"""The incident script against the real tools alone, with no recorder.

If this fails, the tools or the script broke, not the product: the full run
in ``test_real_incident.py`` depends on everything proven here.
"""

import pytest

from tests.e2e_real import incident, tools

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class PhaseLog(incident.Recorder):
    def __init__(self):
        self.events = []

    def mark_phase(self, phase):
        self.events.append(("phase", phase))

    def add_note(self, text):
        self.events.append(("note", text))


def test_incident_leaves_ticket_closed_in_network_queue(
    helpdesk, prometheus, plain_browser, agent_page_factory
):
    context = plain_browser.new_context()
    page = agent_page_factory(context)
    log = PhaseLog()

    outcome = incident.perform(
        page, helpdesk=helpdesk.origin, prometheus=prometheus.origin, recorder=log
    )

    ticket = tools.helpdesk_ticket(helpdesk.database, outcome.ticket_id)
    assert ticket["status"] == 4
    assert ticket["priority"] == 2
    assert ticket["queue"] == "Network"
    assert ticket["owner"] == "nina.network"
    assert outcome.typed.markers["fix"] in ticket["comments"][-2]
    assert outcome.typed.markers["close"] in ticket["comments"][-1]
    phases = [value for kind, value in log.events if kind == "phase"]
    assert phases == list(incident.PHASES)
    assert ("note", incident.NOTE) in log.events
    context.close()


def test_prometheus_answers_both_queries(prometheus):
    import json
    import urllib.parse

    for expression in (
        'rate(interface_errors_total{service="vpn-gateway"}[1m])',
        'probe_latency_seconds{service="vpn-gateway"}',
    ):
        query = urllib.parse.urlencode({"query": expression})
        body = tools.http_get(f"{prometheus.origin}/api/v1/query?{query}")
        result = json.loads(body)["data"]["result"]
        assert result, expression
