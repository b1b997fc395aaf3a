"""Item 8: pages run under a Content-Security-Policy of the application's own files only, and nothing that may
carry personal data is kept in a browser or proxy cache (static files still are)."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from brokercrm.customers.tests.factories import CustomerFactory, relate

PACKAGE_DIR = Path(settings.PACKAGE_DIR)
# Rendered to PDF by WeasyPrint, never served to a browser: its <style> is no concern of the CSP.
PDF_TEMPLATES = {"servicing/templates/servicing/account_report.html", "servicing/templates/servicing/wealth_report.html",
                 "research/templates/research/report_pdf.html", "reports/templates/reports/table_pdf.html"}
INLINE_CODE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style", re.IGNORECASE),
}


@pytest.fixture
def customer_of_broker(org_world):
    customer = CustomerFactory(customer_no="1001", branch=org_world["branches"][0])
    relate(customer, org_world["staff"]["broker"])
    return customer


def test_pages_carry_a_policy_of_own_files_only(client, org_world):
    """The login page and a signed-in page both answer the policy: scripts and styles from 'self', no inline, no CDN."""
    anonymous = client.get("/accounts/login/")
    client.force_login(org_world["users"]["broker"])
    signed_in = client.get("/")

    for response in (anonymous, signed_in):
        policy = dict(d.split(" ", 1) for d in response["Content-Security-Policy"].split("; "))
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'" and policy["default-src"] == "'self'"
        assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"


def test_no_template_holds_inline_script_or_style():
    """Every served template leaves behaviour to static JS and looks to CSS classes, so the policy needs no 'unsafe-inline'."""
    found = []
    for template in sorted(PACKAGE_DIR.rglob("templates/**/*.html")):
        relative = template.relative_to(PACKAGE_DIR).as_posix()
        if relative in PDF_TEMPLATES:
            continue
        text = template.read_text()
        found += [f"{relative}: {what}" for what, pattern in INLINE_CODE.items() if pattern.search(text)]
    assert found == []


def test_a_customer_page_and_an_api_answer_are_not_stored(client, org_world, customer_of_broker):
    """The broker's view of customer 1001, as a page and through the API, answers Cache-Control: no-store."""
    client.force_login(org_world["users"]["broker"])

    page = client.get("/customers/1001/")
    answer = client.get("/api/customers/1001")

    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client):
    """WhiteNoise answers static files before the no-store header is added: browsers may cache them."""
    response = client.get("/static/css/brokercrm.css")

    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
