"""The research library from outside: the API (search, download), the CLI import, and the pages (search, upload, push)."""
import pytest
from django.core.management import call_command

from brokercrm.research.models import ResearchReport
from brokercrm.research.tests.factories import ev_report_pdf, text_report

pytestmark = pytest.mark.django_db


def test_api_search_answers_results_with_id_title_date_and_marked_snippet(org_world, client):
    """GET /api/research?q=能源 finds the PDF by a word inside 新能源汽车产业链, with the contract's fields."""
    from brokercrm.research.services import report_import

    report = report_import(actor=None, file_name="周报.pdf", data=ev_report_pdf(), title="新能源周报")
    text_report("银行息差收窄", title="银行月报")
    client.force_login(org_world["users"]["broker"])
    body = client.get("/api/research", {"q": "能源"}).json()
    assert [(r["id"], r["title"], r["date"]) for r in body["results"]] == [(report.pk, "新能源周报", str(report.report_date))]
    assert "新<mark>能源</mark>汽车产业链" in body["results"][0]["snippet"]
    assert body["results"][0]["download_url"] == f"/api/research/{report.pk}/file"
    assert client.get("/api/research", {"q": "保险"}).json() == {"results": []}


def test_api_download_gives_the_file_and_404_for_an_unknown_report(org_world, client):
    """The stored bytes come back as an attachment named after the file; a missing id is a 404; no login is a 401."""
    report = text_report("晨会纪要正文", title="晨会纪要")
    assert client.get(f"/api/research/{report.pk}/file").status_code == 401
    client.force_login(org_world["users"]["service_agent"])
    answer = client.get(f"/api/research/{report.pk}/file")
    assert answer.status_code == 200 and answer.content == "晨会纪要正文".encode()
    assert answer["Content-Disposition"] == "attachment; filename*=UTF-8''%E6%99%A8%E4%BC%9A%E7%BA%AA%E8%A6%81.txt"
    assert client.get("/api/research/999999/file").status_code == 404


def test_cli_import_prints_the_new_id_on_the_last_line(org_world, tmp_path, capsys):
    """`research import FILE --title --tags --securities --industries --audience` stores the report; the last line is its id."""
    path = tmp_path / "早报.md"
    path.write_text("# 晨会纪要\n\n沪深两市震荡，白酒板块领涨。", encoding="utf-8")
    call_command("research", "import", str(path), "--title", "十二月一日晨会纪要", "--tags", "晨会,早报", "--securities", "SH600519",
                 "--industries", "食品饮料", "--audience", "clients", "--type", "morning_note")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    report = ResearchReport.objects.get()
    assert last == str(report.pk)
    assert (report.title, report.tags, report.securities, report.industries, report.audience, report.report_type) == (
        "十二月一日晨会纪要", ["晨会", "早报"], ["SH600519"], ["食品饮料"], "clients", "morning_note")


def test_cli_import_of_a_bad_file_says_why_and_stores_nothing(org_world, tmp_path):
    """A broken PDF ends the command with a message naming the file; the library stays empty."""
    path = tmp_path / "坏.pdf"
    path.write_bytes(b"%PDF-1.4 broken")
    with pytest.raises(Exception) as failed:
        call_command("research", "import", str(path))
    assert "坏.pdf: cannot read the PDF file" in str(failed.value)
    assert ResearchReport.objects.count() == 0


def test_the_library_page_searches_and_marks_the_words(org_world, client):
    """/research/?q=能源 lists the report with the word marked; the list without a query shows every report."""
    from brokercrm.research.services import report_import

    report_import(actor=None, file_name="周报.pdf", data=ev_report_pdf(), title="新能源周报")
    client.force_login(org_world["users"]["broker"])
    page = client.get("/research/", {"q": "能源"}).content.decode()
    assert "新<mark>能源</mark>汽车产业链" in page and "新能源周报" in page
    assert "新能源周报" in client.get("/research/").content.decode()


def test_head_office_uploads_through_the_form_and_a_broker_may_not(org_world, client):
    """The upload form stores the report and opens its page; a broker gets 403; a bad file is shown on the form."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def form(name, data):
        return {"file": SimpleUploadedFile(name, data), "title": "", "source": "institute", "report_type": "industry", "audience": "clients",
                "industries": "汽车", "securities": "", "tags": ""}

    client.force_login(org_world["users"]["broker"])
    assert client.post("/research/upload/", form("a.txt", "正文".encode())).status_code == 403
    client.force_login(org_world["users"]["head_office"])
    refused = client.post("/research/upload/", form("坏.pdf", b"%PDF broken"))
    assert refused.status_code == 200 and "坏.pdf: cannot read the PDF file" in refused.content.decode()
    stored = client.post("/research/upload/", form("周报.pdf", ev_report_pdf()))
    report = ResearchReport.objects.get()
    assert stored.url == f"/research/{report.pk}/" and report.title == "行业周报"
    assert "资讯推送" in client.get(stored.url).content.decode()


def test_pushing_an_internal_report_from_its_page_is_refused_with_the_reason(org_world, client):
    """The page offers no push form for an internal report, and a forged post is refused with the service's message."""
    report = text_report("内部策略", title="内部策略")
    client.force_login(org_world["users"]["admin"])
    assert 'data-testid="push-form"' not in client.get(f"/research/{report.pk}/").content.decode()
    answer = client.post(f"/research/{report.pk}/push/", {"channel": "email", "by_holdings": "on"}, follow=True)
    assert "该报告仅限内部使用，不会发送给客户" in answer.content.decode()


def test_api_search_filters_by_type_and_refuses_an_unknown_one(org_world, client):
    """report_type narrows the answer; a type that does not exist is a 400 naming the field."""
    text_report("白酒板块领涨。", title="晨会纪要", report_type="morning_note")
    company = text_report("白酒批价稳定。", title="公司点评", report_type="company")
    client.force_login(org_world["users"]["broker"])
    body = client.get("/api/research", {"q": "白酒", "report_type": "company"}).json()
    assert [r["id"] for r in body["results"]] == [company.pk]
    refused = client.get("/api/research", {"q": "白酒", "report_type": "gossip"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "report_type"
