"""The monthly account report: exact numbers from constructed facts, a PDF with Chinese text, mailed with the PDF attached."""
from decimal import Decimal

import pypdfium2
import pytest

from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.servicing.documents import account_report_data, account_report_pdf
from brokercrm.servicing.services.outbox import outbox_send
from brokercrm.servicing.services.reports import account_reports_queue
from brokercrm.servicing.models import ChannelConfig
from brokercrm.servicing.tests.servers import smtp_server  # noqa: F401  (fixture)
from brokercrm.servicing.tests.warehouse_data import customer, new_warehouse, position, security

MARCH = ("2026-02-27", "2026-03-02", "2026-03-03", "2026-03-31")


def _warehouse():
    """Customer A: 100,000.00 on 02-27; in March +50,000.00 bank in, a 20,000.00 buy, ends with 165,432.10 (cash 45,432.10)."""
    con, f = new_warehouse(*MARCH)
    f.branch("0001", on=MARCH[0])
    security(f, "SH", "600000", "R3", on=MARCH[0])
    customer(f, "A")
    f.rows["customers"][-1]["name"] = "张三丰"
    f.rows["customers"][-1]["business_date"] = f.rows["customers"][-1]["business_date"].replace(day=27, month=2)
    f.assets(MARCH[0], "A", 100_000)
    f.cash_flow(MARCH[1], "A", flow_type="bank_in", amount=50_000)
    f.assets(MARCH[1], "A", 150_000)
    f.trade(MARCH[2], "A", amount="20000.00", commission="5.00")
    f.assets(MARCH[2], "A", "149995.00", cash="129995.00")
    position(f, MARCH[2], "A", "SH", "600000", 20_000)
    f.assets(MARCH[3], "A", "165432.10", cash="45432.10")
    position(f, MARCH[3], "A", "SH", "600000", 120_000)
    f.save()
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dw import build_dw

    ingest_crm(con, staff=[], development_relations=[])
    build_dw(con)
    return con


@pytest.mark.django_db  # building the warehouse reads the trading calendar
def test_report_numbers_are_exact():
    """Start 100,000.00, end 165,432.10, inflow 50,000.00 → P&L 15,432.10; one trade; allocation cash 27.5 %, stock 72.5 %."""
    report = account_report_data(_warehouse(), customer_no="A", month="2026-03")

    assert (report.start_assets, report.end_assets, report.net_inflow, report.profit, report.commission) == (
        Decimal("100000.00"), Decimal("165432.10"), Decimal("50000.00"), Decimal("15432.10"), Decimal("5.00"))
    assert [(t.side, t.amount) for t in report.trades] == [("B", Decimal("20000.00"))]
    assert [(a.label, a.value, a.percent) for a in report.allocation] == [
        ("cash", Decimal("45432.10"), Decimal("27.5")), ("stock", Decimal("120000.00"), Decimal("72.5"))]
    assert [d.isoformat() for d, _ in report.trend] == ["2026-03-02", "2026-03-03", "2026-03-31"]


@pytest.mark.django_db  # building the warehouse reads the trading calendar
def test_the_first_loaded_month_starts_from_the_opening_snapshot():
    """An account opened in 2020 whose first loaded day is 03-02 with 150,000.00 (after a 50,000.00 deposit that day):
    the month starts at 150,000.00, that day's deposit is not counted again: inflow 10,000.00, P&L 5,432.10 (a start of 0
    would invent 105,432.10 of profit)."""
    con, f = new_warehouse(*MARCH[1:])
    f.branch("0001", on=MARCH[1])
    customer(f, "B", open_date=None)
    f.rows["customers"][-1]["business_date"] = f.rows["customers"][-1]["business_date"].replace(day=2, month=3)
    f.cash_flow(MARCH[1], "B", flow_type="bank_in", amount=50_000)
    f.assets(MARCH[1], "B", 150_000)
    f.cash_flow(MARCH[2], "B", flow_type="bank_in", amount=10_000)
    f.assets(MARCH[2], "B", 160_000)
    f.assets(MARCH[3], "B", "165432.10")
    f.save()
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dw import build_dw

    ingest_crm(con, staff=[], development_relations=[])
    build_dw(con)
    report = account_report_data(con, customer_no="B", month="2026-03")
    assert (report.start_assets, report.net_inflow, report.profit) == (Decimal("150000.00"), Decimal("10000.00"), Decimal("5432.10"))


def _pdf_text_and_ink(pdf: bytes) -> tuple[str, int]:
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=1).to_pil().convert("L")
    top = image.crop((0, 0, image.width, image.height // 8))  # the title and the customer's name
    return text, sum(top.histogram()[:128])


@pytest.mark.django_db  # building the warehouse reads the trading calendar
def test_pdf_shows_the_numbers_and_renders_chinese_glyphs():
    """The PDF's text holds the customer's name and the amounts; the title area of page 1 has ink (no missing glyphs)."""
    pdf = account_report_pdf(account_report_data(_warehouse(), customer_no="A", month="2026-03"))

    text, ink = _pdf_text_and_ink(pdf)

    assert pdf.startswith(b"%PDF")
    for expected in ("张三丰", "165432.10", "100000.00", "15432.10", "2026-03"):
        assert expected in text, expected
    assert ink > 500


@pytest.mark.django_db
def test_reports_are_queued_once_and_arrive_by_email_with_the_pdf(org_world, smtp_server):
    """The customer with an e-mail address gets one message with the PDF; queuing again adds nothing."""
    CustomerFactory(customer_no="A", name="张三丰", email="zhang@example.com", branch=org_world["branches"][0])
    CustomerFactory(customer_no="B", email="", branch=org_world["branches"][0])
    ChannelConfig.objects.create(code="email", host="127.0.0.1", port=smtp_server.port)
    con = _warehouse()

    first = account_reports_queue(con, month="2026-03")
    again = account_reports_queue(con, month="2026-03")
    outbox_send(channels=("email",))

    assert (first.queued, again.queued, again.already_queued) == (1, 0, 1)
    [mail] = smtp_server.messages
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "account-report-2026-03-A.pdf"
    assert "165432.10" in _pdf_text_and_ink(attachment.get_content())[0]
    assert "期末资产 165432.10 元" in mail.get_body(("plain",)).get_content()
