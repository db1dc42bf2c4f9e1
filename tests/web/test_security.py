import os
import re
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.web.html import inline_scripts

pytestmark = pytest.mark.django_db

PAGES = ["/", "/pricing/", "/upgrade/", "/accounts/login/", "/accounts/signup/"]
MEMBER_PAGES = ["/dashboard/", "/search/?q=vpn", "/extension/", "/settings/plan/"]
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


def _directives(header):
    return dict(
        (part.split()[0], part.split()[1:])
        for part in header.split(";")
        if part.strip()
    )


@pytest.mark.parametrize("path", PAGES)
def test_public_page_forbids_inline_script(client, path):
    response = client.get(path)

    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert inline_scripts(response.content.decode()) == []


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_page_forbids_inline_script(owner_client, path):
    response = owner_client.get(path)

    assert "'unsafe-inline'" not in _directives(
        response["Content-Security-Policy"]
    ).get("script-src", ["missing"])
    assert inline_scripts(response.content.decode()) == []


def test_every_post_form_in_our_templates_carries_csrf():
    missing = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        for body in POST_FORM.findall(text):
            if "{% csrf_token %}" not in body:
                missing.append(str(template.relative_to(settings.BASE_DIR)))
    assert missing == []


def test_post_without_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/extension/connect/", HTTP_ACCEPT="application/json")

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_session_and_csrf_cookies_are_http_only(client):
    user = factories.user_create(email="cookie@example.test")
    client.get("/accounts/login/")

    client.post(
        "/accounts/login/",
        {"login": user.email, "password": factories.PASSWORD},
    )

    assert client.cookies["sessionid"]["httponly"] is True
    assert client.cookies["csrftoken"]["httponly"] is True


def test_login_is_throttled_after_five_failures():
    user = factories.user_create(email="throttle@example.test")
    client = Client(REMOTE_ADDR="203.0.113.77")
    for _attempt in range(5):
        response = client.post(
            "/accounts/login/", {"login": user.email, "password": "wrong password"}
        )
        assert (
            b"Too many failed log-ins. Try again in five minutes"
            not in response.content
        )

    response = client.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )

    assert response.status_code == HTTPStatus.OK
    assert b"Too many failed log-ins. Try again in five minutes" in response.content
    assert "_auth_user_id" not in client.session


def test_production_settings_send_hsts_and_secure_cookies():
    script = (
        "import django; django.setup();"
        "from django.conf import settings as s;"
        "from django.test import Client, override_settings;"
        # Without collectstatic the manifest storage cannot name app.css.
        "override_settings(STORAGES={'staticfiles': {'BACKEND':"
        " 'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable();"
        "r = Client().get('/pricing/', secure=True,"
        " HTTP_HOST='ledgerium.example');"
        "assert r.status_code == 200, r.status_code;"
        "print(r.headers.get('Strict-Transport-Security'));"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "ledgerium.settings.production",
        "DJANGO_SECRET_KEY": "s" * 60 + "-hsts-check",
        "DJANGO_ALLOWED_HOSTS": "ledgerium.example",
        # The test database: migrated, so the page can read the plans.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"
        + settings.DATABASES["default"]["NAME"],
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 0, result.stderr
    hsts, cookies = result.stdout.strip().splitlines()[-2:]
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert cookies == "True True True"
