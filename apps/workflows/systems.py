"""Which system a page belongs to: classify an origin and path.

Pure: no Django. Organization rules come first, then the default rules for
common products, then the recorder's own hint, then the bare host name.
``docs/sop-rules.md`` lists the rules for people.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

KINDS = ("itsm", "monitoring", "admin", "communication", "other")


@dataclass(frozen=True, slots=True)
class System:
    name: str
    kind: str = "other"


@dataclass(frozen=True, slots=True)
class Rule:
    """Match a host pattern, and optionally a path prefix, to a system.

    ``host`` is a pattern where ``*`` stands for any run of characters;
    ``*.example.com`` also matches ``example.com`` itself. A pattern with a
    colon matches ``host:port``.
    """

    host: str
    name: str
    kind: str
    path_prefix: str = ""

    def matches(self, host, port, path):
        target = f"{host}:{port}" if ":" in self.host else host
        if not _pattern(self.host).fullmatch(target):
            return False
        return not self.path_prefix or path.startswith(self.path_prefix)


def _rules(kind, name, *hosts, path_prefix=""):
    return [Rule(host, name, kind, path_prefix) for host in hosts]


DEFAULT_RULES = (
    *_rules("itsm", "ServiceNow", "*.service-now.com", "*.servicenowservices.com"),
    *_rules(
        "itsm",
        "Jira Service Management",
        "*.atlassian.net",
        path_prefix="/jira/servicedesk",
    ),
    *_rules(
        "itsm",
        "Jira Service Management",
        "*.atlassian.net",
        path_prefix="/jira/servicemanagement",
    ),
    *_rules(
        "itsm", "Jira Service Management", "*.atlassian.net", path_prefix="/servicedesk"
    ),
    *_rules("itsm", "Zendesk", "*.zendesk.com"),
    *_rules("itsm", "Freshservice", "*.freshservice.com"),
    *_rules("monitoring", "PagerDuty", "*.pagerduty.com"),
    *_rules("monitoring", "Opsgenie", "*.opsgenie.com"),
    *_rules("monitoring", "Datadog", "*.datadoghq.com", "*.datadoghq.eu"),
    *_rules("monitoring", "Grafana", "*.grafana.net", "grafana.*"),
    *_rules("monitoring", "Prometheus", "prometheus.*", "*.prometheus.io"),
    *_rules("monitoring", "Kibana", "kibana.*", "*.kb.*.elastic-cloud.com"),
    *_rules("monitoring", "Kibana", "*.elastic-cloud.com", path_prefix="/app/"),
    *_rules("monitoring", "New Relic", "*.newrelic.com"),
    *_rules("monitoring", "Splunk", "*.splunkcloud.com", "splunk.*"),
    *_rules(
        "admin", "AWS console", "console.aws.amazon.com", "*.console.aws.amazon.com"
    ),
    *_rules("admin", "Entra ID", "entra.microsoft.com", "aad.portal.azure.com"),
    *_rules("admin", "Azure portal", "portal.azure.com"),
    *_rules("admin", "Google Cloud console", "console.cloud.google.com"),
    *_rules("admin", "Okta", "*.okta.com", "*.okta-emea.com", "*.oktapreview.com"),
    *_rules("communication", "Slack", "*.slack.com"),
    *_rules(
        "communication", "Microsoft Teams", "teams.microsoft.com", "teams.live.com"
    ),
    *_rules("communication", "Gmail", "mail.google.com"),
    *_rules(
        "communication",
        "Outlook",
        "outlook.office.com",
        "outlook.office365.com",
        "outlook.live.com",
    ),
)

_PATTERNS = {}


def _pattern(text):
    compiled = _PATTERNS.get(text)
    if compiled is None:
        body = ".*".join(re.escape(part) for part in text.lower().split("*"))
        if text.startswith("*."):
            # "*.example.com" covers the apex domain too.
            body = r"(?:.*\.)?" + re.escape(text[2:].lower()).replace(r"\*", ".*")
        compiled = _PATTERNS[text] = re.compile(body)
    return compiled


def validate_host_pattern(text):
    """Return the cleaned pattern, or raise ``ValueError`` saying what is wrong."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise ValueError("The host pattern is empty.")
    if "/" in cleaned or " " in cleaned:
        raise ValueError(
            "A host pattern is a host name such as *.corp.example.com, "
            "without a scheme, path or spaces."
        )
    if cleaned.strip("*.:") == "":
        raise ValueError("The host pattern must name at least part of a host.")
    return cleaned


def split_origin(origin):
    """Return ``(host, port)`` of an origin such as ``https://a.example:8443``."""
    parts = urlsplit(origin if "//" in origin else f"//{origin}")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme, 0)
    return host, port


class Classifier:
    """Classify pages into systems, remembering answers per origin and path."""

    def __init__(self, organization_rules=()):
        self.rules = (*organization_rules, *DEFAULT_RULES)
        self._cache = {}

    def classify(self, origin, path="", hint="", hint_kind=None):
        key = (origin, path, hint, hint_kind)
        system = self._cache.get(key)
        if system is None:
            system = self._cache[key] = self._classify(origin, path, hint, hint_kind)
        return system

    def _classify(self, origin, path, hint, hint_kind):
        host, port = split_origin(origin)
        for rule in self.rules:
            if rule.matches(host, port, path):
                return System(rule.name, rule.kind)
        if hint:
            kind = hint_kind if hint_kind in KINDS else "other"
            return System(hint, kind)
        return System(host or "the browser", "other")
