"""The library's services and selectors on the database: import, Chinese full-text search, roles, and what a bad file
leaves behind (nothing)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.research.models import ResearchReport
from brokercrm.research.selectors import report_search
from brokercrm.research.services import report_import
from brokercrm.research.tests.factories import ev_report_pdf, text_report

pytestmark = pytest.mark.django_db


def test_importing_a_pdf_stores_the_file_its_metadata_and_its_text(org_world):
    """Head office uploads a PDF: title, lists, Decimal target price, file bytes and extracted text are kept; audited."""
    pdf = ev_report_pdf()
    report = report_import(actor=org_world["users"]["head_office"], file_name="/tmp/行业周报.pdf", data=pdf, tags="新能源, 周报",
                           securities="sz300750,SH600519", industries=["汽车"], rating="buy", target_price="268.5",
                           report_date=dt.date(2026, 11, 20), audience="clients")
    report.refresh_from_db()
    assert (report.title, report.file_name, report.content_type) == ("行业周报", "行业周报.pdf", "application/pdf")
    assert (report.tags, report.securities, report.industries) == (["新能源", "周报"], ["SZ300750", "SH600519"], ["汽车"])
    assert report.target_price == Decimal("268.50") and bytes(report.content) == pdf
    assert "新能源汽车产业链" in report.body_text
    assert AuditEntry.objects.get(object_type="research.researchreport").changes["audience"] == [None, "clients"]


def test_a_bad_file_or_field_stores_nothing(org_world):
    """An unreadable PDF, a malformed security and a negative price are each refused by field; the library stays empty."""
    head_office = org_world["users"]["head_office"]
    cases = [({"file_name": "坏.pdf", "data": b"%PDF broken"}, "file"),
             ({"file_name": "a.txt", "data": "正文".encode(), "securities": "600519"}, "securities"),
             ({"file_name": "a.txt", "data": "正文".encode(), "target_price": "-1"}, "target_price"),
             ({"file_name": "a.txt", "data": "正文".encode(), "audience": "public"}, "audience")]
    for fields, field in cases:
        with pytest.raises(DomainError) as refused:
            report_import(actor=head_office, **fields)
        assert refused.value.field == field
    assert ResearchReport.objects.count() == 0


def test_only_head_office_and_admin_upload(org_world):
    """A broker may read the library but not add to it."""
    with pytest.raises(PermissionDenied):
        report_import(actor=org_world["users"]["broker"], file_name="a.txt", data="正文".encode())


def test_a_word_found_only_inside_a_longer_phrase_of_a_pdf_finds_the_report(org_world):
    """能源 is written only inside 新能源汽车产业链 in the PDF's body, not in its title; the search finds it, marked."""
    report = report_import(actor=None, file_name="周报.pdf", data=ev_report_pdf())
    text_report("银行业净息差收窄，关注资产质量。", title="银行业月报")
    hits = report_search(user=org_world["users"]["broker"], q="能源")
    assert [h.id for h in hits] == [report.pk]
    assert "新<mark>能源</mark>汽车产业链" in str(hits[0].snippet)


def test_every_query_word_must_be_present_and_the_better_match_ranks_first(org_world):
    """Two words are ANDed; among reports of the same length, the one naming 动力电池 three times ranks above the one naming
    it once (the other reports make both words rare, as in a real library)."""
    once = text_report("动力电池需求平稳。光伏装机量创新高。风电价格下降。储能订单饱满。", title="周报甲")
    often = text_report("动力电池需求平稳。动力电池装机量创新高。动力电池价格下降。储能订单饱满。", title="周报乙")
    for n, topic in enumerate(("光伏组件价格下降。", "银行息差收窄。", "白酒批价稳定。", "券商交易活跃。", "地产销售回落。")):
        text_report(topic, title=f"其他{n}")
    user = org_world["users"]["broker"]
    assert [h.id for h in report_search(user=user, q="动力电池 储能")] == [often.pk, once.pk]
    assert report_search(user=user, q="动力电池 白酒") == []
    assert report_search(user=user, q="，。") == []


def test_an_empty_query_lists_the_latest_reports(org_world):
    """Without words the search answers the newest reports first, each snippet the start of its text."""
    old = text_report("旧的早报", title="早报一", report_date=dt.date(2026, 1, 5))
    new = text_report("新的早报", title="早报二", report_date=dt.date(2026, 2, 5))
    hits = report_search(user=org_world["users"]["broker"], q="")
    assert [h.id for h in hits] == [new.pk, old.pk] and str(hits[0].snippet) == "新的早报"


def test_deleting_a_report_removes_it_from_the_index(org_world):
    """The index follows the table (SQLite triggers; PostgreSQL's index is over the column itself)."""
    report = text_report("半导体设备国产替代加速", title="半导体点评")
    report.delete()
    assert report_search(user=None, q="半导体") == []


def test_tags_industries_and_securities_are_searchable_like_the_text(org_world):
    """A report is found by its tag, its industry, and its security with or without the market."""
    report = text_report("业绩超预期。", title="公司点评", tags=["白酒"], industries=["食品饮料"], securities=["SH600519"])
    user = org_world["users"]["broker"]
    assert [[h.id for h in report_search(user=user, q=q)] for q in ("白酒", "食品饮料", "600519", "sh600519")] == [[report.pk]] * 4


def test_the_search_and_the_latest_list_filter_by_type_and_audience(org_world):
    """Two 白酒 reports, a company note for clients and an internal morning note: each filter keeps its own."""
    note = text_report("白酒板块领涨。", title="晨会纪要", report_type="morning_note")
    company = text_report("白酒批价稳定。", title="公司点评", report_type="company", audience="clients")
    user = org_world["users"]["broker"]
    assert [h.id for h in report_search(user=user, q="白酒", report_type="company")] == [company.pk]
    assert [h.id for h in report_search(user=user, q="白酒", audience="internal")] == [note.pk]
    assert [h.id for h in report_search(user=user, q="", report_type="morning_note")] == [note.pk]
