"""Browser flow of the acceptance: head office uploads a Chinese industry report and finds it by a word from its body."""
import pytest

from brokercrm.core.tests.browser import login
from brokercrm.research.tests.factories import ev_report_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_office_uploads_a_chinese_pdf_and_finds_it_by_a_word_inside_a_longer_phrase(org_world, page):
    """Upload through the form, then search 能源 (written only inside 新能源汽车产业链): one hit, the word marked, the report opens."""
    login(page, "ho")
    page.click("[data-testid=menu] a[href='/research/']")
    page.click("[data-testid=upload-link]")
    page.set_input_files("#id_file", files=[{"name": "新能源行业周报.pdf", "mimeType": "application/pdf", "buffer": ev_report_pdf()}])
    page.fill("#id_title", "新能源汽车行业周报")
    page.select_option("#id_audience", "clients")
    page.click("[data-testid=upload-form] button[type=submit]")
    assert page.locator("[data-testid=report-title]").inner_text() == "新能源汽车行业周报"

    page.goto("/research/")
    page.fill("[data-testid=research-search] input[name=q]", "能源")
    page.click("[data-testid=research-search] button[type=submit]")
    hits = page.locator("[data-testid=research-hits] li")
    assert hits.count() == 1
    assert hits.first.locator("mark").first.inner_text() == "能源"
    assert "新能源汽车产业链" in hits.first.inner_text()
    hits.first.locator("a").click()
    assert page.locator("[data-testid=audience]").inner_text() == "可发送客户"
