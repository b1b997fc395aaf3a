"""Research distribution (资讯推送): matching holders from the published positions, the internal-only refusal, the outbox
messages, the tracked open, and the pushes evaluation counts as service work."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from brokercrm.core.errors import DomainError
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.datacenter.tests.snapshot import write_snapshot
from brokercrm.research.facade import research_pushes_by_staff
from brokercrm.research.models import ResearchDelivery, ResearchPush
from brokercrm.research.services import report_push
from brokercrm.research.tests.factories import text_report
from brokercrm.servicing.models import OutboxMessage

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 30)
EARLIER = dt.date(2026, 11, 27)


def _position(day, customer_no, market, code):
    return {"biz_date": day, "customer_no": customer_no, "market": market, "security_code": code, "quantity": 100,
            "cost_amount": Decimal("1000.00"), "close_price": Decimal("10.000"), "market_value": Decimal("1000.00")}


def _security(market, code, industry):
    return {"market": market, "security_code": code, "security_name": f"证券{code}", "security_type": "stock", "industry": industry,
            "risk_level": "R3", "delivered_on": EARLIER}


@pytest.fixture
def holders(org_world, settings, tmp_path):
    """Five customers: 1001 (broker's) holds 600519; 1002 (colleague's) a 食品饮料 stock; 2001 (other branch) 600519;
    1003 (broker's) only a bank today and 600519 on an earlier day; 1004 (broker's) holds 600519 but has no e-mail."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    b1, b2 = org_world["branches"]
    staff = org_world["staff"]
    people = {}
    for no, branch, holder, email in (("1001", b1, "broker", "zhang@example.com"), ("1002", b1, "colleague", "li@example.com"),
                                      ("2001", b2, "other", "qian@example.com"), ("1003", b1, "broker", "zhao@example.com"),
                                      ("1004", b1, "broker", "")):
        people[no] = CustomerFactory(customer_no=no, branch=branch, email=email)
        relate(people[no], staff[holder])
    write_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR, {
        "dw.securities": [_security("SH", "600519", "食品饮料"), _security("SZ", "000858", "食品饮料"), _security("SH", "601398", "银行")],
        "dw.fact_positions": [_position(DAY, "1001", "SH", "600519"), _position(DAY, "1002", "SZ", "000858"),
                              _position(DAY, "2001", "SH", "600519"), _position(DAY, "1003", "SH", "601398"),
                              _position(EARLIER, "1003", "SH", "600519"), _position(DAY, "1004", "SH", "600519")],
    })
    return people


def _liquor_report(audience="clients"):
    return text_report("高端白酒需求稳健，维持买入评级。", title="白酒行业点评", audience=audience, securities=["SH600519"],
                       industries=["食品饮料"])


def test_holders_of_the_covered_security_or_industry_get_the_report_by_email_with_the_file(org_world, holders):
    """Admin pushes: today's holders of 600519 or of a 食品饮料 stock match (not 1003, who held it only earlier); 1004 has
    no address; each message carries the file and a tracked link; each delivery names the responsible staff."""
    report = _liquor_report()
    result = report_push(actor=org_world["users"]["admin"], report_id=report.pk, channel="email", day=DAY)
    assert (result.matched, result.queued, result.no_address, result.already_sent) == (4, 3, 1, 0)
    deliveries = {d.customer.customer_no: d for d in ResearchDelivery.objects.select_related("customer", "staff")}
    assert sorted(deliveries) == ["1001", "1002", "2001"]
    assert (deliveries["1001"].matched_on, deliveries["1002"].matched_on) == ("SH600519", "SZ000858")
    assert {no: d.staff.staff_no for no, d in deliveries.items()} == {"1001": "S0003", "1002": "S0004", "2001": "S0005"}
    message = OutboxMessage.objects.get(pk=deliveries["1001"].outbox_message_id)
    assert (message.channel, message.recipient, message.subject) == ("email", "zhang@example.com", "研究报告：白酒行业点评")
    assert f"/research/open/{deliveries['1001'].token}/" in message.body_text
    attachment = message.attachments.get()
    assert (attachment.file_name, bytes(attachment.content)) == ("白酒行业点评.txt", bytes(report.content))


def test_a_broker_pushes_only_to_customers_in_scope_and_nobody_gets_a_report_twice(org_world, holders):
    """The broker's push reaches their own holder (1001) by SMS with a link; the admin's later push skips 1001."""
    report = _liquor_report()
    mine = report_push(actor=org_world["users"]["broker"], report_id=report.pk, channel="sms", day=DAY)
    assert (mine.matched, mine.queued) == (2, 2)  # 1001 and 1004 (SMS needs no e-mail)
    sms = OutboxMessage.objects.get(customer_id=holders["1001"].pk)
    assert sms.channel == "sms" and "/research/open/" in sms.body_text and not sms.attachments.exists()
    again = report_push(actor=org_world["users"]["admin"], report_id=report.pk, channel="sms", day=DAY)
    assert (again.matched, again.queued, again.already_sent) == (4, 2, 2)
    assert OutboxMessage.objects.count() == 4


def test_a_segment_push_reaches_the_segment_without_holdings(org_world, holders):
    """Segment 'all' without holders: every open customer in the branch manager's branch with a mobile number."""
    report = _liquor_report()
    result = report_push(actor=org_world["users"]["branch_manager"], report_id=report.pk, channel="sms", segment="all",
                         by_holdings=False, day=DAY)
    assert result.queued == 4
    assert sorted(ResearchDelivery.objects.values_list("matched_on", flat=True)) == ["segment:all"] * 4


def test_an_internal_report_is_never_sent_to_clients(org_world, holders):
    """The service refuses an internal-only report whoever asks; no push, delivery or message is written."""
    report = _liquor_report(audience="internal")
    for who in ("admin", "broker"):
        with pytest.raises(DomainError) as refused:
            report_push(actor=org_world["users"][who], report_id=report.pk, channel="email", day=DAY)
        assert refused.value.field == "audience"
    assert (ResearchPush.objects.count(), ResearchDelivery.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def test_a_service_agent_and_compliance_may_not_push(org_world, holders):
    """Pushing is for those who serve customers' accounts: not the service agent, not compliance."""
    report = _liquor_report()
    for who in ("service_agent", "compliance"):
        with pytest.raises(PermissionDenied):
            report_push(actor=org_world["users"][who], report_id=report.pk, channel="email", day=DAY)


def test_the_tracked_link_records_each_open_without_a_login_and_serves_the_report(org_world, holders, client):
    """Opening the link twice counts two opens and keeps the first time; an unknown token is a 404."""
    report = _liquor_report()
    report_push(actor=None, report_id=report.pk, channel="email", day=DAY)
    delivery = ResearchDelivery.objects.get(customer=holders["1001"])
    first = client.get(f"/research/open/{delivery.token}/")
    assert first.status_code == 200 and first.content == bytes(report.content)
    delivery.refresh_from_db()
    opened_at = delivery.opened_at
    assert delivery.open_count == 1 and opened_at is not None
    client.get(f"/research/open/{delivery.token}/")
    delivery.refresh_from_db()
    assert (delivery.open_count, delivery.opened_at) == (2, opened_at)
    assert client.get("/research/open/not-a-token/").status_code == 404


def test_pushes_count_per_responsible_staff_for_evaluation(org_world, holders):
    """research_pushes_by_staff counts deliveries by sent date per staff member, zeros included."""
    report_push(actor=None, report_id=_liquor_report().pk, channel="email", day=DAY)
    assert research_pushes_by_staff(["S0003", "S0004", "S0005", "S0001"], DAY, DAY) == {"S0003": 1, "S0004": 1, "S0005": 1, "S0001": 0}
    assert research_pushes_by_staff(["S0003"], DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=30)) == {"S0003": 0}


def test_the_report_page_lists_only_the_deliveries_in_the_readers_scope(org_world, holders, client):
    """After the admin's push to 1001, 1002 and 2001, the broker's report page shows their own 1001 only, and counts it alone."""
    report = _liquor_report()
    report_push(actor=None, report_id=report.pk, channel="email", day=DAY)
    client.force_login(org_world["users"]["broker"])
    page = client.get(f"/research/{report.pk}/").content.decode()
    assert "1001" in page and "1002" not in page and "2001" not in page
    assert "已发送给 1 位客户，0 位已打开。" in page


def test_the_customer_360_page_lists_the_research_the_customer_received_and_opened(org_world, holders, client):
    """After a push and an open, the broker's 360 page of 1001 shows the report with its channel and first open time."""
    report = _liquor_report()
    report_push(actor=None, report_id=report.pk, channel="email", day=DAY)
    client.get(f"/research/open/{ResearchDelivery.objects.get(customer=holders['1001']).token}/")
    client.force_login(org_world["users"]["broker"])
    panel = client.get("/customers/1001/").content.decode().split('data-testid="research-received"')[1].split("</div>")[0]
    assert "白酒行业点评" in panel and "电子邮件（附报告）" in panel and "—" not in panel
