from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory

from apps.core.shown_once import ShownOnce

pytestmark = pytest.mark.django_db


def _request(session_key=None):
    request = RequestFactory().get("/")
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(session_key)
    return request


def test_shown_once_gives_a_secret_back_once_and_then_none():
    links = ShownOnce("links_created")
    request = _request()
    links.keep(request, 7, "first")
    links.keep(request, 8, "second")

    assert links.take(request, 7) == "first"
    assert links.take(request, 7) is None
    assert links.take(request, 8) == "second"


def test_shown_once_keeps_kinds_apart_under_the_same_id():
    links, tokens = ShownOnce("links_created"), ShownOnce("tokens_created")
    request = _request()
    links.keep(request, 7, "link secret")
    tokens.keep(request, 7, "token secret")

    assert tokens.take(request, 7) == "token secret"
    assert links.take(request, 7) == "link secret"


def test_shown_once_forgets_a_taken_secret_in_the_stored_session():
    tokens = ShownOnce("tokens_created")
    request = _request()
    tokens.keep(request, 7, "secret")
    request.session.save()

    later = _request(request.session.session_key)
    assert tokens.take(later, 7) == "secret"
    later.session.save()

    assert tokens.take(_request(request.session.session_key), 7) is None


def test_shown_once_drops_a_secret_its_page_never_took_in_time():
    tokens = ShownOnce("tokens_created", keep_for=0)
    request = _request()
    tokens.keep(request, 7, "secret")

    assert tokens.take(request, 7) is None
    assert request.session["tokens_created"] == {}


def test_shown_once_drops_expired_secrets_from_the_session_when_keeping_another():
    request = _request()
    ShownOnce("tokens_created", keep_for=0).keep(request, 7, "stale")
    ShownOnce("tokens_created").keep(request, 8, "fresh")

    assert list(request.session["tokens_created"]) == ["8"]
