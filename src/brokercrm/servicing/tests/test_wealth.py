"""The wealth report: the time-weighted return against a hand computation, allocation, concentration, products held
vs tolerance; and a diamond-tier wealth-report strategy whose e-mails with the PDF reach a local SMTP server."""
import contextlib
import datetime as dt
from decimal import Decimal

import pytest

from brokercrm.analytics.models import BuiltPeriod
from brokercrm.analytics.tests.factories import MembershipFactory, default_config
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.servicing import renderers
from brokercrm.servicing.models import ChannelConfig
from brokercrm.servicing.services.outbox import outbox_send
from brokercrm.servicing.services.strategies import strategy_create, strategy_run
from brokercrm.servicing.tests.servers import smtp_server  # noqa: F401  (fixture)
from brokercrm.servicing.tests.warehouse_data import customer, new_warehouse, position
from brokercrm.servicing.wealth import time_weighted_return, wealth_report_data

DAYS = ("2025-12-31", "2026-01-05", "2026-02-02", "2026-03-02")


def _warehouse():
    """W: 100,000 at 2025 year-end; +50,000 in and 160,000 on 01-05; 144,000 on 02-02; −20,000 out and 126,000 on 03-02
    (cash 26,000, a bank share of 100,000 rated R4 while W tolerates C3)."""
    con, f = new_warehouse(*DAYS)
    f.branch("0001", on=DAYS[0])
    f._add("securities", dt.date(2025, 12, 31), market="SH", security_code="600036", security_name="招商银行", security_type="stock",
           industry="银行", risk_level="R4")
    customer(f, "W", open_date=None)
    f.rows["customers"][-1]["name"] = "钱多多"
    f.rows["customers"][-1]["business_date"] = dt.date(2025, 12, 31)
    f.assets(DAYS[0], "W", 100_000)
    f.cash_flow(DAYS[1], "W", flow_type="bank_in", amount=50_000)
    f.assets(DAYS[1], "W", 160_000)
    f.assets(DAYS[2], "W", 144_000)
    f.cash_flow(DAYS[3], "W", flow_type="bank_out", amount=-20_000)
    f.assets(DAYS[3], "W", 126_000, cash=26_000)
    position(f, DAYS[3], "W", "SH", "600036", 100_000)
    f.save()
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dw import build_dw

    ingest_crm(con, staff=[], development_relations=[])
    build_dw(con)
    return con


def test_time_weighted_return_removes_flows():
    """By hand: 1.10 × 0.90 × (146,000 / 144,000) − 1 = 0.00375; a day after a zero total has no return."""
    days = [(dt.date(2026, 1, 5), Decimal(160000), Decimal(50000)), (dt.date(2026, 2, 2), Decimal(144000), Decimal(0)),
            (dt.date(2026, 3, 2), Decimal(126000), Decimal(-20000))]
    assert round(time_weighted_return(Decimal(100000), days), 10) == Decimal("0.0037500000")
    assert time_weighted_return(Decimal(0), [(dt.date(2026, 1, 5), Decimal(1000), Decimal(1000))]) == 0


@pytest.mark.django_db  # building the warehouse reads the trading calendar
def test_wealth_report_numbers_against_the_hand_computation():
    """Q1 2026: start 100,000.00, end 126,000.00, inflow 30,000.00, P&L −4,000.00, TWR 0.38 %; bank 79.4 %, cash 20.6 %;
    the R4 share is flagged above the C3 tolerance."""
    report = wealth_report_data(_warehouse(), customer_no="W", period="2026-Q1")
    assert (report.start_assets, report.end_assets, report.net_inflow, report.profit, report.twr_percent) == (
        Decimal("100000.00"), Decimal("126000.00"), Decimal("30000.00"), Decimal("-4000.00"), Decimal("0.38"))
    assert [(a.label, a.percent) for a in report.by_class] == [("stock", Decimal("79.4")), ("cash", Decimal("20.6"))]
    assert [(a.label, a.percent) for a in report.by_industry] == [("银行", Decimal("100.0"))]
    assert (report.top_share, report.top3_share) == (Decimal("79.4"), Decimal("79.4"))
    assert [(p.security, p.risk_level, p.above_tolerance) for p in report.products] == [("SH.600036", "R4", True)]


@pytest.mark.django_db
def test_a_diamond_wealth_report_strategy_delivers_emails_with_the_pdf(org_world, smtp_server, monkeypatch):
    """Diamond tier, monthly wealth report by e-mail: W gets the HTML mail with the PDF attached at the local SMTP server."""
    con = _warehouse()
    monkeypatch.setattr(renderers, "warehouse_read", lambda: contextlib.nullcontext(con))
    default_config()
    w = CustomerFactory(customer_no="W", name="钱多多", email="w@example.com", branch=org_world["branches"][0],
                        open_date=dt.date(2020, 1, 2))
    MembershipFactory(customer=w, period="2026-03", tier="diamond")
    BuiltPeriod.objects.create(period="2026-03", customers=1)
    ChannelConfig.objects.create(code="email", host="127.0.0.1", port=smtp_server.port)
    strategy = strategy_create(actor=None, name="钻石客户月度理财报告", segment="tier:diamond", content="wealth_report",
                               channel="email", frequency="monthly", owner="service_staff")

    run = strategy_run(actor=None, strategy=strategy, period=dt.date(2026, 3, 31))
    outbox_send(channels=("email",))

    assert run.messages == 1
    mail = smtp_server.messages[0]
    assert mail["Subject"] == "理财报告 2026-Q1"
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert "时间加权收益率 0.38%" in parts["text/plain"].get_content()
    assert "text/html" in parts
    assert parts["application/pdf"].get_content().startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)  # the run is enqueued on commit
def test_activating_and_running_from_the_page_renders_in_the_worker(client, org_world, monkeypatch):
    """Head office runs an active wealth-report strategy from its page: the worker (immediate here) queues W's e-mail."""
    from brokercrm.servicing.models import OutboxMessage

    con = _warehouse()
    monkeypatch.setattr(renderers, "warehouse_read", lambda: contextlib.nullcontext(con))
    default_config()
    w = CustomerFactory(customer_no="W", name="钱多多", email="w@example.com", branch=org_world["branches"][0],
                        open_date=dt.date(2020, 1, 2))
    MembershipFactory(customer=w, period="2026-03", tier="diamond")
    BuiltPeriod.objects.create(period="2026-03", customers=1)
    strategy = strategy_create(actor=None, name="钻石理财报告", segment="tier:diamond", content="wealth_report", channel="email",
                               frequency="monthly", owner="service_staff", active=False)
    client.force_login(org_world["users"]["head_office"])
    client.post(f"/service/strategies/{strategy.pk}/", {"active": "1"})
    response = client.post(f"/service/strategies/{strategy.pk}/run/")
    assert response.url == f"/service/strategies/{strategy.pk}/"
    message = OutboxMessage.objects.get()
    assert (message.recipient, message.attachments.count()) == ("w@example.com", 1)


@pytest.mark.django_db  # building the warehouse reads the trading calendar
def test_wealth_report_pdf_shows_the_numbers_in_chinese():
    """The PDF's text holds the customer's name, the period, the return and the industry (CJK glyphs embedded)."""
    import pypdfium2

    from brokercrm.servicing.wealth import wealth_report_pdf

    pdf = wealth_report_pdf(wealth_report_data(_warehouse(), customer_no="W", period="2026-Q1"))
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    for expected in ("钱多多", "2026-Q1", "0.38%", "银行", "126000.00", "SH.600036"):
        assert expected in text, expected
