import pytest
from django.test import Client

from apps.core.middleware import CONTENT_SECURITY_POLICY


def test_api_schema_describes_the_recording_format(db):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.json()

    batch = schema["components"]["schemas"]["FormatBatch"]
    assert batch["properties"]["events"]["items"] == {
        "$ref": "#/components/schemas/FormatEvent"
    }
    operation = schema["paths"]["/api/v1/recordings/{recording_id}/events/"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FormatBatch"
    }
    assert {"apiToken": []} in operation["security"]


def test_api_docs_page_loads_nothing_from_elsewhere(db):
    response = Client().get("/api/docs/")
    page = response.content.decode()

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "https://" not in page
    assert "<script>" not in page
    assert (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    )


@pytest.mark.browser
def test_api_docs_page_renders_under_the_csp(live_server, transactional_db, playwright):
    problems, foreign = [], []
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--no-sandbox"]
    )
    page = browser.new_page()
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.text} {m.location}") if m.type == "error" else None
        ),
    )
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((live_server.url, "data:", "blob:"))
            else foreign.append(r.url)
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".info .title", has_text="Ledgerium API").wait_for(timeout=20_000)
    operations = page.locator(
        ".opblock-summary-path",
        has_text="/api/v1/recordings/{recording_id}/events/",
    ).count()
    browser.close()

    assert operations > 0
    assert problems == [], problems
    assert foreign == []
