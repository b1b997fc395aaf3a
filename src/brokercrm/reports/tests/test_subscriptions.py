"""Subscriptions: delivered once through the outbox to a local SMTP server, each recipient's copy in their own scope."""
import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from brokercrm.analytics.models import Membership, Tier
from brokercrm.customers.models import Customer
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.datacenter.exports import export_indicators
from brokercrm.org.tests.factories import BranchFactory, user_for
from brokercrm.reports.demo import DEMO_REPORT, OBJECTS_REPORT, reports_demo_setup
from brokercrm.reports import services
from brokercrm.reports.models import Report, Subscription
from brokercrm.reports.services import report_save, subscription_create, subscriptions_deliver
from brokercrm.servicing.facade import outbox_send
from brokercrm.servicing.models import ChannelConfig
from brokercrm.servicing.tests.servers import smtp_server  # noqa: F401  (fixture)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def managers(published):
    """Managers of branches 0101 and 0102, each branch with one of the rich brokerage's customers."""
    people = {}
    for code, customer_no in (("0101", "10000002"), ("0102", "10000004")):
        branch = BranchFactory(code=code)
        CustomerFactory(customer_no=customer_no, branch=branch)
        people[code] = user_for("branch_manager", branch=branch, username=f"manager{code}")
        people[code].email = f"manager{code}@broker.example"
        people[code].save()
    return people


def test_each_branch_manager_receives_once_only_their_branch(managers, smtp_server):
    """Net commission and average assets by branch subscribed to branch managers: one mail each, CSV attached with only
    their own branch; a second delivery pass queues nothing."""
    ChannelConfig.objects.update_or_create(code="email", defaults={"host": "127.0.0.1", "port": smtp_server.port,
                                                                   "sender": "reports@broker.example"})
    report = Report.objects.create(name="分支净佣金", measures=["net_commission", "avg_daily_assets"],
                                   dimensions=["branch_code"], period_kind="month")
    subscription = subscription_create(actor=None, report=report, cron="0 8 * * *", roles=["branch_manager"], fmt="csv")
    Subscription.objects.filter(pk=subscription.pk).update(last_run_at=dt.datetime(2026, 5, 1, 7, 0, tzinfo=SHANGHAI))
    now = dt.datetime(2026, 5, 1, 8, 5, tzinfo=SHANGHAI)

    assert subscriptions_deliver(now=now) == 2
    assert subscriptions_deliver(now=now) == 0
    outbox_send(channels=("email",), now=now)

    mails = {m["To"]: m for m in smtp_server.messages}
    assert sorted(mails) == ["manager0101@broker.example", "manager0102@broker.example"]
    for code in ("0101", "0102"):
        [attachment] = list(mails[f"manager{code}@broker.example"].iter_attachments())
        assert attachment.get_filename() == "分支净佣金-2026-04.csv"
        rows = list(csv.reader(io.StringIO(attachment.get_content() if isinstance(attachment.get_content(), str)
                                           else attachment.get_content().decode())))
        assert rows[0] == ["branch_code", "net_commission", "avg_daily_assets"] and {r[0] for r in rows[1:]} == {code}


def test_subscribe_command_checks_schedule_and_roles(managers):
    """`report subscribe` refuses a bad cron or role, naming it; a good one is stored."""
    with pytest.raises(CommandError, match="cron"):
        call_command("report", "subscribe", "营业部业绩月报", "--cron", "every day", "--roles", "branch_manager")
    with pytest.raises(CommandError, match="roles"):
        call_command("report", "subscribe", "营业部业绩月报", "--cron", "0 8 * * *", "--roles", "boss")
    call_command("report", "subscribe", "营业部业绩月报", "--cron", "0 8 1 * *", "--roles", "branch_manager",
                 stdout=io.StringIO())
    assert Subscription.objects.get().roles == ["branch_manager"]


def test_demo_setup_saves_shares_pins_and_subscribes_once(managers):
    """The demo's addition: head office's report shared with branch managers, pinned, subscribed, delivery queued, and
    the report of object measures saved; a second run changes nothing."""
    head_office = user_for("head_office", username="headoffice")
    first = reports_demo_setup()
    assert len(first) == 3 and "2 e-mails queued" in first[1]
    assert Report.objects.get(name=OBJECTS_REPORT).measures == ["objects.complaint.count", "objects.campaign.budget.sum"]
    report = Report.objects.get(name=DEMO_REPORT)
    assert report.shared_roles == ["branch_manager"] and report.pins.get().user == head_office
    assert reports_demo_setup() == []


def test_deliver_command_queues_due_copies_once(managers):
    """`report deliver` queues the due subscription's copies and says how many; a second pass queues none."""
    subscription = subscription_create(actor=None, report=Report.objects.get(name="营业部业绩月报"), cron="0 8 * * *",
                                       roles=["branch_manager"])
    Subscription.objects.filter(pk=subscription.pk).update(last_run_at=dt.datetime(2026, 5, 1, 7, 0, tzinfo=SHANGHAI))
    first, second = io.StringIO(), io.StringIO()
    call_command("report", "deliver", stdout=first)
    call_command("report", "deliver", stdout=second)
    assert first.getvalue().startswith("2 messages") and second.getvalue().startswith("0 messages")


def test_the_scheduler_pass_delivers_due_subscriptions_once_each_in_its_scope(managers, smtp_server):
    """`brokercrm scheduler --once` queues the due subscription's delivery for the worker (immediate in tests): each
    branch manager's copy holds only their branch; a second pass queues nothing, and the outbox sends each once."""
    ChannelConfig.objects.update_or_create(code="email", defaults={"host": "127.0.0.1", "port": smtp_server.port,
                                                                   "sender": "reports@broker.example"})
    report = Report.objects.create(name="分支净佣金", measures=["net_commission", "avg_daily_assets"],
                                   dimensions=["branch_code"], period_kind="month")
    subscription = subscription_create(actor=None, report=report, cron="0 8 * * *", roles=["branch_manager"], fmt="csv")
    Subscription.objects.filter(pk=subscription.pk).update(last_run_at=dt.datetime(2026, 5, 1, 7, 0, tzinfo=SHANGHAI))
    first, second = io.StringIO(), io.StringIO()

    call_command("scheduler", "--once", stdout=first)
    call_command("scheduler", "--once", stdout=second)
    outbox_send(channels=("email",))

    assert "report subscriptions: delivery queued for 1 due subscription(s)" in first.getvalue()
    assert "report subscriptions" not in second.getvalue()
    mails = sorted(smtp_server.messages, key=lambda m: m["To"])
    assert [m["To"] for m in mails] == ["manager0101@broker.example", "manager0102@broker.example"]
    for code, mail in zip(("0101", "0102"), mails):
        [attachment] = list(mail.iter_attachments())
        content = attachment.get_content()
        rows = list(csv.reader(io.StringIO(content if isinstance(content, str) else content.decode())))
        assert {r[0] for r in rows[1:]} == {code}


def test_a_failing_subscription_stays_due_and_the_others_are_delivered(managers, monkeypatch):
    """A report that fails to run leaves its subscription due (retried at the next pass) and does not stop the others."""
    good = subscription_create(actor=None, report=Report.objects.create(
        name="分支净佣金", measures=["avg_daily_assets"], dimensions=["branch_code"], period_kind="month"),
        cron="* * * * *", roles=["branch_manager"], fmt="csv")
    broken = subscription_create(actor=None, report=Report.objects.create(
        name="坏报表", measures=["net_commission"], dimensions=["branch_code"], period_kind="month"),
        cron="* * * * *", roles=["branch_manager"], fmt="csv")
    Subscription.objects.update(last_run_at=dt.datetime(2026, 5, 1, 7, 0, tzinfo=SHANGHAI))
    now = dt.datetime(2026, 5, 1, 8, 5, tzinfo=SHANGHAI)
    real = services.report_run

    def run(*, report, **kwargs):
        if report.name == "坏报表":
            raise RuntimeError("the warehouse went away")
        return real(report=report, **kwargs)

    monkeypatch.setattr(services, "report_run", run)
    assert subscriptions_deliver(now=now) == 2
    good.refresh_from_db(), broken.refresh_from_db()
    assert good.last_run_at == dt.datetime(2026, 5, 1, 8, 4, tzinfo=SHANGHAI) and broken.last_run_at < now
    monkeypatch.setattr(services, "report_run", real)
    assert subscriptions_deliver(now=now) == 2


def test_net_commission_by_branch_and_tier_against_last_month_reaches_each_manager_with_their_branch(
        managers, smtp_server, published, tmp_path):
    """The acceptance's report: head office saves net commission by branch and tier, this month vs last month, and
    subscribes the branch managers. Each mail holds only the manager's branch, by tier, and its rows add up to the
    branch export's April and March net commission."""
    ChannelConfig.objects.update_or_create(code="email", defaults={"host": "127.0.0.1", "port": smtp_server.port,
                                                                   "sender": "reports@broker.example"})
    gold = Tier.objects.create(code="gold-test", name="黄金测试", min_avg_daily_assets="987654.00")
    for no in ("10000002", "10000004"):
        Membership.objects.create(customer=Customer.objects.get(customer_no=no), period="2026-04", tier=gold.code,
                                  qualified_tier=gold.code, avg_daily_assets_cents=0, end_assets_cents=0,
                                  net_commission_cents=0)
    report = report_save(actor=user_for("head_office"), definition={
        "name": "分支分层净佣金", "measures": ["net_commission"], "dimensions": ["branch_code", "tier"], "period": "month",
        "comparisons": ["previous"], "view": "table", "shared_roles": ["branch_manager"]})
    subscription_create(actor=None, report=report, cron="0 8 * * *", roles=["branch_manager"], fmt="csv")
    Subscription.objects.update(last_run_at=dt.datetime(2026, 5, 1, 7, 0, tzinfo=SHANGHAI))
    now = dt.datetime(2026, 5, 1, 8, 5, tzinfo=SHANGHAI)

    assert subscriptions_deliver(now=now) == 2
    outbox_send(channels=("email",), now=now)

    mails = {m["To"]: m for m in smtp_server.messages}
    exports = {month: _branch_export(published, tmp_path, month) for month in ("03", "04")}
    for code in ("0101", "0102"):
        [attachment] = list(mails[f"manager{code}@broker.example"].iter_attachments())
        header, *rows = list(csv.reader(io.StringIO(attachment.get_payload(decode=True).decode("utf-8"))))
        assert header == ["branch_code", "tier", "net_commission", "net_commission_previous",
                          "net_commission_previous_growth"]
        assert rows and {r[0] for r in rows} == {code} and "黄金测试" in {r[1] for r in rows}
        assert sum(Decimal(r[2]) for r in rows) == Decimal(exports["04"][code]["net_commission"])
        assert sum(Decimal(r[3] or "0") for r in rows) == Decimal(exports["03"][code]["net_commission"])


def _branch_export(con, tmp_path, month: str) -> dict[str, dict[str, str]]:
    out = tmp_path / f"branch-{month}.csv"
    last = {"03": "31", "04": "30"}[month]
    export_indicators(con, level="branch", grain="month", date_from=dt.date(2026, int(month), 1),
                      date_to=dt.date(2026, int(month), int(last)), out=out)
    return {r["key"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
