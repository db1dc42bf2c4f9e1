"""An IPv6 host: the Systems page is offered what its form accepts."""

import uuid
from http import HTTPStatus

import pytest

from apps.recordings.services import recording_import
from apps.workflows.selectors import system_rule_list
from apps.workflows.systems import (
    Classifier,
    Rule,
    unrecognised_host,
    unrecognised_system,
    validate_host_pattern,
)
from tests.workflows import recording_factory as rf
from tests.workflows.conftest import build_sample

LOCAL = "http://[::1]:48082"


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (LOCAL, "[::1]:48082"),
        ("http://[::1]", "[::1]"),
        ("https://[FD00:0:0::5]:8443", "[fd00::5]:8443"),
        ("http://10.0.0.5:8443", "10.0.0.5:8443"),
        ("https://netadmin.corp", "netadmin.corp"),
    ],
)
def test_an_unrecognised_host_is_a_pattern_that_names_its_origin(origin, host):
    offered = unrecognised_host(unrecognised_system(origin).name)

    assert offered == host
    assert validate_host_pattern(offered) == host
    rule = Rule(validate_host_pattern(offered), "Local", "admin")
    assert Classifier([rule]).classify(origin).name == "Local"


def test_an_ipv6_pattern_without_a_port_names_every_port():
    rule = Rule(validate_host_pattern("[::1]"), "Local", "admin")

    assert Classifier([rule]).classify(LOCAL).name == "Local"
    assert Classifier([rule]).classify("http://[::2]:48082").name != "Local"


def test_a_host_named_before_brackets_is_offered_with_them():
    assert unrecognised_host("Unrecognised system (::1)") == "[::1]"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[::1", "An IPv6 host pattern is the address in brackets"),
        ("[::1]8000", "An IPv6 host pattern is the address in brackets"),
        ("[::1]:", "An IPv6 host pattern is the address in brackets"),
        ("[zz::1]", "zz::1 is not an IPv6 address."),
        ("[::1]:70000", "The port 70000 is not between 1 and 65535."),
        ("::1", "A host pattern is a host name such as netadmin.corp"),
    ],
)
def test_a_bad_ipv6_pattern_is_refused_saying_why(pattern, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        validate_host_pattern(pattern)


def _workflow(organization, settings, origin):
    settings.WORKFLOWS_GENERATE_ON_FINISH = False
    b = rf.RecordingBuilder()
    b.nav(origin, "/incidents/INC0012345", "INC0012345 | Helpdesk")
    b.edit("Short description")
    b.submit("Save")
    recording = recording_import(
        organization=organization,
        user=organization.memberships.first().user,
        document=rf.encode(b.recording(id=str(uuid.uuid4()), title="Local")),
    )
    return build_sample(organization, recording)


@pytest.fixture
def ipv6_workflow(organization, settings):
    return _workflow(organization, settings, LOCAL)


@pytest.mark.django_db
def test_the_systems_form_takes_the_ipv6_host_it_was_offered(
    organization, owner_client, ipv6_workflow
):
    page = owner_client.get(ipv6_workflow.get_absolute_url()).content.decode()
    link = "/workflows/systems/?host=%5B%3A%3A1%5D%3A48082"
    systems = owner_client.get(link).content.decode()

    added = owner_client.post(
        "/workflows/systems/",
        {"host_pattern": "[::1]:48082", "name": "Helpdesk", "kind": "itsm"},
    )

    assert link in page
    assert 'value="[::1]:48082" autofocus' in systems
    assert added.status_code == HTTPStatus.FOUND
    rules = system_rule_list(organization=organization)
    assert [rule.host_pattern for rule in rules] == ["[::1]:48082"]


@pytest.mark.django_db
def test_a_recording_with_an_unreadable_ipv6_origin_is_documented(
    organization, settings
):
    workflow = _workflow(organization, settings, "http://[::1")

    assert workflow.current_version is not None
    systems = {step["system"] for step in workflow.current_version.steps}
    assert systems == {"the browser"}
