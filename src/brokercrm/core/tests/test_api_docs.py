"""Item 9: /api/docs needs a login and runs the vendored Swagger UI (no CDN); the OpenAPI document stays at /api/openapi.json."""
import re

import pytest

from brokercrm.core.tests.browser import login


def test_api_docs_send_anonymous_users_to_the_login_but_the_openapi_document_stays_open(client):
    """Anonymous: /api/docs redirects to the login page and back; /api/openapi.json answers as before."""
    response = client.get("/api/docs")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs"
    assert client.get("/api/openapi.json").json()["info"]["title"] == "brokercrm API"


@pytest.mark.django_db
def test_api_docs_load_only_vendored_assets(client, org_world):
    """Signed in: the page loads Swagger UI from /static/vendor/swagger-ui/, each asset is served, and no URL leaves the site."""
    client.force_login(org_world["users"]["broker"])

    html = client.get("/api/docs").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets == ["/static/vendor/swagger-ui/swagger-ui.css", "/static/vendor/swagger-ui/swagger-ui-bundle.js",
                      "/static/js/swagger-init.js"]
    assert all(client.get(a).status_code == 200 for a in assets)
    assert "http://" not in html and "https://" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_the_api_under_the_content_security_policy(org_world, page):
    """In chromium, the signed-in broker sees the API's operations; the page fixture fails on any CSP refusal."""
    login(page, "broker")

    page.goto("/api/docs")

    page.wait_for_selector('.swagger-ui .opblock-summary-path[data-path="/api/customers"]')
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("brokercrm API")
