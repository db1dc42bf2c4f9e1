import pytest

from apps.workflows.systems import (
    Classifier,
    Rule,
    unrecognised_host,
    unrecognised_hosts,
    validate_host_pattern,
)


@pytest.mark.parametrize(
    ("origin", "path", "name", "kind"),
    [
        ("https://acme.service-now.com", "/now/nav/ui", "ServiceNow", "itsm"),
        (
            "https://acme.atlassian.net",
            "/jira/servicedesk/projects/IT",
            "Jira Service Management",
            "itsm",
        ),
        ("https://acme.zendesk.com", "/agent", "Zendesk", "itsm"),
        ("https://acme.freshservice.com", "/a/tickets", "Freshservice", "itsm"),
        ("https://acme.pagerduty.com", "/incidents", "PagerDuty", "monitoring"),
        ("https://acme.app.opsgenie.com", "/alert", "Opsgenie", "monitoring"),
        ("https://app.datadoghq.com", "/dashboard", "Datadog", "monitoring"),
        ("https://grafana.acme.net", "/d/x", "Grafana", "monitoring"),
        ("https://prometheus.acme.net:9090", "/graph", "Prometheus", "monitoring"),
        ("https://kibana.acme.net", "/app/discover", "Kibana", "monitoring"),
        ("https://one.newrelic.com", "/", "New Relic", "monitoring"),
        ("https://acme.splunkcloud.com", "/en-US/app", "Splunk", "monitoring"),
        ("https://eu-west-1.console.aws.amazon.com", "/ec2", "AWS console", "admin"),
        ("https://portal.azure.com", "/", "Azure portal", "admin"),
        ("https://console.cloud.google.com", "/", "Google Cloud console", "admin"),
        ("https://acme-admin.okta.com", "/admin", "Okta", "admin"),
        ("https://entra.microsoft.com", "/", "Entra ID", "admin"),
        ("https://app.slack.com", "/client", "Slack", "communication"),
        ("https://teams.microsoft.com", "/", "Microsoft Teams", "communication"),
        ("https://mail.google.com", "/mail", "Gmail", "communication"),
        ("https://outlook.office.com", "/mail", "Outlook", "communication"),
    ],
)
def test_classify_default_rules_name_common_products(origin, path, name, kind):
    system = Classifier().classify(origin, path)

    assert (system.name, system.kind) == (name, kind)


def test_classify_does_not_take_a_lookalike_host_for_servicenow():
    system = Classifier().classify("https://service-now.com.evil.example", "/")

    assert system.name == "Unrecognised system (service-now.com.evil.example)"
    assert system.kind == "other"


def test_classify_jira_outside_service_management_is_not_itsm():
    system = Classifier().classify("https://acme.atlassian.net", "/wiki/spaces")

    assert system.kind == "other"


def test_classify_organization_rule_wins_over_defaults_and_hint():
    rules = [Rule("*.acme.net", "Acme tools", "admin")]

    system = Classifier(rules).classify(
        "https://grafana.acme.net", "/", "Hinted", "itsm"
    )

    assert (system.name, system.kind) == ("Acme tools", "admin")


def test_classify_uses_recorder_hint_when_no_rule_matches():
    system = Classifier().classify("https://netadmin.corp", "/", "Net admin", "admin")

    assert (system.name, system.kind) == ("Net admin", "admin")


def test_classify_port_pattern_matches_host_and_port():
    rules = [Rule("10.0.0.5:8443", "Switch UI", "admin")]
    classifier = Classifier(rules)

    assert classifier.classify("https://10.0.0.5:8443", "/").name == "Switch UI"
    assert (
        classifier.classify("https://10.0.0.5", "/").name
        == "Unrecognised system (10.0.0.5)"
    )


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:48081", "127.0.0.1:48081"),
        ("http://localhost", "localhost"),
        ("https://10.0.0.5:443", "10.0.0.5:443"),
        ("https://netadmin.corp", "netadmin.corp"),
    ],
)
def test_classify_names_an_unrecognised_host_with_its_port(origin, host):
    system = Classifier().classify(origin, "/")

    assert (system.name, system.kind) == (f"Unrecognised system ({host})", "other")
    assert unrecognised_host(system.name) == host


def test_classify_names_a_page_without_a_host_the_browser():
    system = Classifier().classify("", "")

    assert system.name == "the browser"
    assert unrecognised_host(system.name) == ""


@pytest.mark.parametrize(
    "origin", ["http://[::1", "https://[::1:8080", "http://[zz]:80", "https://a]b"]
)
def test_classify_names_a_page_whose_origin_does_not_parse_the_browser(origin):
    # An imported recording may hold any origin; a browser sends none of these.
    system = Classifier([Rule("[::1]", "Local", "admin")]).classify(origin, "/")

    assert (system.name, system.kind) == ("the browser", "other")


def test_unrecognised_hosts_lists_each_host_once_in_order():
    names = [
        "ServiceNow",
        "Unrecognised system (127.0.0.1:48081)",
        "Unrecognised system (localhost)",
        "Unrecognised system (127.0.0.1:48081)",
        "",
    ]

    assert unrecognised_hosts(names) == ["127.0.0.1:48081", "localhost"]


def test_unrecognised_hosts_ignore_a_rule_named_like_one():
    assert unrecognised_hosts(["Unrecognised system (a) (b)", "Unrecognised"]) == []


@pytest.mark.parametrize("pattern", ["", "  ", "https://x.com/a", "*.*", "a b"])
def test_validate_host_pattern_refuses_what_is_not_a_host(pattern):
    with pytest.raises(ValueError):
        validate_host_pattern(pattern)


def test_validate_host_pattern_lowercases():
    assert validate_host_pattern(" *.Corp.Example ") == "*.corp.example"


@pytest.mark.parametrize(
    "pattern",
    [
        "a*a*a*a*a*a*a*a*a*a*a*a*c",
        "corp.*.example.com",
        "*corp.example.com",
        "**.example.com",
        "*.*.example.com",
        "example.*",
        "host:port",
        "host:99999",
        "exa_mple..com",
        "a" * 256,
    ],
)
def test_validate_host_pattern_allows_only_a_leading_wildcard(pattern):
    with pytest.raises(ValueError):
        validate_host_pattern(pattern)


@pytest.mark.parametrize(
    "pattern", ["*.corp.example.com", "netadmin.corp", "10.0.0.5:8443", "a" * 63]
)
def test_validate_host_pattern_accepts_hosts_and_ports(pattern):
    assert validate_host_pattern(pattern) == pattern


def test_rule_matches_a_wildcard_pattern_without_backtracking():
    # A backtracking regex takes minutes on this; a linear match takes no time.
    rule = Rule("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c", "Slow", "other")

    assert not rule.matches("a" * 5_000, 443, "/")
    assert rule.matches("a" * 40 + "c", 443, "/")


def test_rule_wildcard_matches_subdomains_and_apex_only():
    rule = Rule("*.example.com", "Example", "other")

    assert rule.matches("a.b.example.com", 443, "/")
    assert rule.matches("example.com", 443, "/")
    assert not rule.matches("badexample.com", 443, "/")
    assert not rule.matches("example.com.evil", 443, "/")
