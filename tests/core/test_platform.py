import logging
import os
import subprocess
import sys
from http import HTTPStatus

import pytest

from apps.core.errors import ApplicationError

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "ledgerium.settings.production",
    "DJANGO_SECRET_KEY": "x" * 64 + "-production-key-for-the-deploy-check",
    "DJANGO_ALLOWED_HOSTS": "ledgerium.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_embedded_default_runs_on_sqlite_and_eager_tasks(tmp_path):
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "ledgerium.settings.local"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"], (
        result.stderr
    )


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_log_lines_show_it(client, caplog):
    logger = logging.getLogger("apps.core.middleware")
    caplog.set_level(logging.DEBUG, logger="apps.core.middleware")
    logger.addFilter(_request_id_filter())

    response = client.get("/pricing/", HTTP_X_REQUEST_ID="req-12345678")

    assert response.status_code == HTTPStatus.OK
    assert response["X-Request-ID"] == "req-12345678"
    assert any(getattr(r, "request_id", None) == "req-12345678" for r in caplog.records)


def _request_id_filter():
    from apps.core.logging import RequestIdFilter

    return RequestIdFilter()


@pytest.mark.django_db
def test_a_forged_request_id_is_replaced(client):
    response = client.get("/pricing/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_scripts(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert script_src == "script-src 'self'"


def test_application_error_body_names_code_field_and_extra():
    error = ApplicationError(
        "Bad thing.", code="bad", field="events[3].type", extra={"index": 3}
    )
    assert error.as_dict() == {
        "error": {
            "code": "bad",
            "message": "Bad thing.",
            "field": "events[3].type",
            "index": 3,
        }
    }


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_request_log_names_a_shared_page_by_its_route_not_its_token(client, caplog):
    caplog.set_level(logging.DEBUG, logger="apps.core.middleware")

    response = client.get("/s/not-a-live-token-4f2a9c/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    (record,) = [r for r in caplog.records if r.name == "apps.core.middleware"]
    assert record.getMessage().startswith("GET /s/<str:token>/ 404 in ")
    assert "4f2a9c" not in record.getMessage()
