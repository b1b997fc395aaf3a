"""The report builder page: run with comparisons, pivot, export, drill to customers, save and share."""
import io

import pytest
from pypdf import PdfReader

from brokercrm.org.tests.factories import user_for
from brokercrm.reports.models import Report

QUERY = {"run": "1", "measures": ["net_commission"], "dimensions": ["branch_code"], "period": "2026-04",
         "comparisons": ["previous"], "sort": "net_commission", "view": "bar"}


@pytest.fixture
def head_office(client, published):
    user = user_for("head_office")
    client.force_login(user)
    return user


def test_builder_runs_with_previous_period_and_growth(client, head_office):
    """Net commission by branch, April vs March: the comparison and growth columns, sorted, a chart's data embedded
    (with average assets, so that 0101, which did not trade in April, has its row)."""
    page = client.get("/reports/builder/", {**QUERY, "measures": ["net_commission", "avg_daily_assets"]}).content.decode()
    assert "净佣金（上期）" in page and "净佣金 环比%" in page
    assert 'data-report-chart="report-chart-data"' in page
    assert page.index(">0102<") < page.index(">0101<")  # 4.95 before 0.00


def test_builder_exports_csv_and_excel(client, head_office):
    """CSV with the codes as header; Excel as a download."""
    csv_answer = client.get("/reports/builder/", {**QUERY, "export": "csv"})
    body = b"".join(csv_answer.streaming_content).decode()
    assert body.splitlines()[0] == ("branch_code,net_commission,net_commission_previous,net_commission_previous_growth")
    xlsx = client.get("/reports/builder/", {**QUERY, "export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_pivot_puts_the_last_dimension_across(client, head_office):
    """Two dimensions in pivot view: a table with the months as columns."""
    page = client.get("/reports/builder/", {"run": "1", "measures": ["trade_count"], "dimensions": ["branch_code", "month"],
                                            "period": "2026-03-01..2026-04-30", "view": "pivot"}).content.decode()
    assert 'data-testid="pivot"' in page and "<th>2026-03</th><th>2026-04</th>" in page


def test_a_bad_filter_is_shown_with_its_column(client, head_office):
    """A filter error names the parameter and the column, on the page, without a crash."""
    page = client.get("/reports/builder/", {**QUERY, "where": "branch_code =="}).content.decode()
    assert 'data-testid="builder-error"' in page and "where: column" in page


def test_drill_link_lists_the_customers_behind_a_row(client, head_office):
    """A row's drill link opens the same measure by customer, filtered to the row's branch."""
    page = client.get("/reports/builder/", QUERY).content.decode()
    assert "dimensions=customer_no" in page and "branch_code+%3D%3D+%220102%22" in page
    drilled = client.get("/reports/builder/", {"run": "1", "measures": ["net_commission"], "dimensions": ["customer_no"],
                                               "period": "2026-04", "where": 'branch_code == "0102"'}).content.decode()
    assert ">10000004<" in drilled and ">10000002<" not in drilled


def test_save_and_share_with_roles(client, head_office):
    """Saving names the report, keeps its definition and the roles it is shared with."""
    answer = client.post("/reports/save/", {**{k: v for k, v in QUERY.items() if k != "run"}, "name": "分支机构净佣金对比",
                                            "shared_roles": ["branch_manager"]})
    report = Report.objects.get(name="分支机构净佣金对比")
    assert answer.status_code == 302 and report.owner == head_office
    assert (report.measures, report.dimensions, report.comparisons, report.shared_roles) == (
        ["net_commission"], ["branch_code"], ["previous"], ["branch_manager"])


def test_head_office_subscribes_branch_managers_from_the_report_page(client, head_office):
    """The report page's subscription form stores the schedule and roles; a bad cron is refused with its field."""
    report = Report.objects.get(name="营业部业绩月报")
    client.post(f"/reports/{report.pk}/subscribe/", {"cron": "0 8 1 * *", "roles": ["branch_manager"], "format": "xlsx"})
    assert list(report.subscriptions.values_list("cron", "roles")) == [("0 8 1 * *", ["branch_manager"])]
    answer = client.post(f"/reports/{report.pk}/subscribe/", {"cron": "soon", "roles": ["branch_manager"]}, follow=True)
    assert "cron:" in answer.content.decode() and report.subscriptions.count() == 1


def test_pdf_export_has_the_chinese_titles(client, head_office):
    """The PDF download is a PDF whose text holds the Chinese column names (CJK fonts embedded)."""
    answer = client.get("/reports/builder/", {**QUERY, "export": "pdf"})
    assert answer["Content-Type"] == "application/pdf" and answer.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "净佣金" in text and "0102" in text
