"""Which system a page belongs to: classify an origin and path.

Pure: no Django. Organization rules come first, then the default rules for
common products, then the recorder's own hint. A page none of them names is
in an unrecognised system, called by its host (and port, when the origin
gives one), so that a reader sees what to name on the Systems page.
``docs/sop-rules.md`` lists the rules for people.
"""

import ipaddress
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

    ``host`` is a pattern where ``*`` stands for any run of characters
    (organization rules may only start with ``*.``; see
    ``validate_host_pattern``); ``*.example.com`` also matches
    ``example.com`` itself. A pattern with a colon matches ``host:port``.
    """

    host: str
    name: str
    kind: str
    path_prefix: str = ""

    def matches(self, host, port, path):
        host = host_label(host)
        target = f"{host}:{port}" if _has_port(self.host) else host
        if not host_matches(self.host, target):
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

MAX_PATTERN = 255
# An organization's pattern: an optional leading "*." then whole DNS labels,
# and an optional port. No other wildcard, so matching stays linear.
HOST_PATTERN = re.compile(
    r"(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
    r"(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*(?::[0-9]{1,5})?"
)
# What may follow an IPv6 pattern's closing bracket.
IPV6_PORT = re.compile(r":[0-9]{1,5}")


def host_label(host):
    """Return ``host`` as a pattern writes it: an IPv6 address as ``[::1]``."""
    if ":" not in host:
        return host
    try:
        return f"[{ipaddress.IPv6Address(host.strip('[]')).compressed}]"
    except ValueError:
        return host


def _has_port(pattern):
    return ":" in pattern.rpartition("]")[2]


def host_matches(pattern, target):
    """Say whether ``target`` matches ``pattern``, where ``*`` is any run.

    Matched piece by piece with ``str.find``: linear in the target for any
    number of ``*``, unlike a regular expression, which can backtrack.
    ``*.example.com`` also matches ``example.com`` itself.
    """
    pattern, target = pattern.lower(), target.lower()
    if pattern.startswith("*.") and target == pattern[2:]:
        return True
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return target == pattern
    first, *middle, last = pieces
    if len(target) < len(first) + len(last):
        return False
    if not (target.startswith(first) and target.endswith(last)):
        return False
    position, end = len(first), len(target) - len(last)
    for piece in middle:
        found = target.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def validate_host_pattern(text):
    """Return the cleaned pattern, or raise ``ValueError`` saying what is wrong."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise ValueError("The host pattern is empty.")
    if len(cleaned) > MAX_PATTERN:
        raise ValueError(
            f"The host pattern is {len(cleaned)} characters long; "
            f"the limit is {MAX_PATTERN}."
        )
    if cleaned.strip("*.:") == "":
        raise ValueError("The host pattern must name at least part of a host.")
    if cleaned.startswith("["):
        return _validate_ipv6_pattern(cleaned)
    if not HOST_PATTERN.fullmatch(cleaned):
        raise ValueError(
            "A host pattern is a host name such as netadmin.corp or "
            "*.corp.example.com, optionally with a port (10.0.0.5:8443): "
            "no scheme, path or spaces, and * only as a leading *."
        )
    _validate_port(cleaned.rpartition(":")[2] if ":" in cleaned else "")
    return cleaned


def _validate_ipv6_pattern(cleaned):
    """Return ``[address]`` or ``[address]:port`` with the address compressed."""
    address, bracket, port = cleaned[1:].partition("]")
    if not bracket or (port and not IPV6_PORT.fullmatch(port)):
        raise ValueError(
            "An IPv6 host pattern is the address in brackets, optionally with "
            "a port: [::1] or [fd00::5]:8443."
        )
    try:
        address = ipaddress.IPv6Address(address).compressed
    except ValueError:
        raise ValueError(f"{address} is not an IPv6 address.") from None
    _validate_port(port[1:])
    return f"[{address}]{port}"


def _validate_port(port):
    if port and not 0 < int(port) <= 65535:
        raise ValueError(f"The port {port} is not between 1 and 65535.")


UNRECOGNISED_NAME = "Unrecognised system ({host})"
_UNRECOGNISED = re.compile(r"Unrecognised system \((?P<host>[^()]+)\)")


def unrecognised_system(origin):
    """Return the system of a page no rule or hint names, from its origin."""
    parts = _origin_parts(origin)
    host, port = split_origin(origin)
    if not host:
        return System("the browser", "other")
    try:
        explicit = parts.port is not None
    except ValueError:
        explicit = False
    label = f"{host_label(host)}:{port}" if explicit else host_label(host)
    return System(UNRECOGNISED_NAME.format(host=label), "other")


def unrecognised_host(name):
    """Return the host an unrecognised system's ``name`` gives, or ``""``."""
    found = _UNRECOGNISED.fullmatch(name or "")
    # An IPv6 host was once named without its brackets, as "::1".
    return host_label(found["host"]) if found else ""


def unrecognised_hosts(names):
    """Return the hosts of the unrecognised systems among ``names``, in order."""
    hosts = (unrecognised_host(name) for name in names)
    return list(dict.fromkeys(host for host in hosts if host))


def _origin_parts(origin):
    """Return ``origin`` split, or split as no host when it does not parse.

    An imported recording may hold any origin, such as ``http://[::1`` with
    its bracket unclosed, which ``urlsplit`` refuses; no rule can name it.
    """
    try:
        return urlsplit(origin if "//" in origin else f"//{origin}")
    except ValueError:
        return urlsplit("")


def split_origin(origin):
    """Return ``(host, port)`` of an origin such as ``https://a.example:8443``."""
    parts = _origin_parts(origin)
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
        return unrecognised_system(origin)
