"""Workload for evaluation, strategies, the CLI, and the alerts step inside the data center's real job graph."""
import datetime as dt
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.servicing.facade import work_indicators
from brokercrm.servicing.models import Alert, ChannelConfig, OutboxMessage, ServiceTask
from brokercrm.servicing.services.strategies import strategy_create, strategy_run
from brokercrm.servicing.services.tasks import task_complete
from brokercrm.servicing.tests.factories import ServiceTaskFactory
from brokercrm.servicing.tests.servers import smtp_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_work_indicators_count_done_tasks_and_visits_by_business_date(org_world, monkeypatch):
    """S0003 did a visit and an alert task in March and a visit in April; S0004 nothing: counts per the March range."""
    broker, colleague = org_world["staff"]["broker"], org_world["staff"]["colleague"]
    user = org_world["users"]["broker"]
    for kind, day in (("visit_new", dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)), ("alert", dt.datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI)),
                      ("visit_existing", dt.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI))):
        task = ServiceTaskFactory(staff=broker, kind=kind)
        monkeypatch.setattr(timezone, "now", lambda day=day: day)
        task_complete(actor=user, task=task, outcome="completed", note="ok")
    ServiceTaskFactory(staff=colleague)

    counts = work_indicators(["S0003", "S0004"], dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    assert counts == {"S0003": {"visits_done": 1, "service_tasks_done": 2}, "S0004": {"visits_done": 0, "service_tasks_done": 0}}


def test_work_done_in_a_replayed_world_counts_on_its_latest_business_date(org_world, monkeypatch):
    """Data loaded up to 2026-03-31 while the wall clock says December: a visit closed now counts in March, not December."""
    from brokercrm.servicing.services import tasks as task_services

    monkeypatch.setattr(task_services, "latest_loaded_date", lambda: dt.date(2026, 3, 31))
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 2, 10, tzinfo=SHANGHAI))
    task = ServiceTaskFactory(staff=org_world["staff"]["broker"], kind="visit_key")
    task_complete(actor=org_world["users"]["broker"], task=task, outcome="completed", note="季度拜访")

    assert task.done_on == dt.date(2026, 3, 31)
    assert work_indicators(["S0003"], dt.date(2026, 3, 1), dt.date(2026, 3, 31))["S0003"] == {"visits_done": 1, "service_tasks_done": 1}
    assert work_indicators(["S0003"], dt.date(2026, 12, 1), dt.date(2026, 12, 31))["S0003"]["visits_done"] == 0


def test_a_visit_strategy_creates_one_task_per_customer_per_period(org_world):
    """'new_accounts' monthly visits: two recent customers get tasks for their service staff; a second run adds none."""
    b1 = org_world["branches"][0]
    recent = CustomerFactory(customer_no="50000001", branch=b1, open_date=dt.date(2026, 3, 1))
    relate(recent, org_world["staff"]["broker"], start=dt.date(2026, 3, 1))
    CustomerFactory(customer_no="50000002", branch=b1, open_date=dt.date(2026, 2, 20))
    CustomerFactory(customer_no="50000003", branch=b1, open_date=dt.date(2025, 1, 2))
    strategy = strategy_create(actor=None, name="新客户首月关怀", segment="new_accounts", content="customer_care", channel="visit",
                               frequency="monthly", owner="service_staff")

    first = strategy_run(actor=None, strategy=strategy, period=dt.date(2026, 3, 10))
    again = strategy_run(actor=None, strategy=strategy, period=dt.date(2026, 3, 20))

    assert (first.tasks, again.tasks) == (2, 0)
    tasks = ServiceTask.objects.filter(strategy=strategy).order_by("customer__customer_no")
    assert [(t.customer.customer_no, t.staff.staff_no if t.staff else None, t.due_date) for t in tasks] == [
        ("50000001", "S0003", dt.date(2026, 3, 24)), ("50000002", None, dt.date(2026, 3, 24))]


def test_an_sms_strategy_queues_personalised_messages_once_per_period(org_world):
    """Every open customer with a mobile gets the text with their name; the customer without one is skipped."""
    b1 = org_world["branches"][0]
    CustomerFactory(customer_no="60000001", name="王五", mobile="13900000001", branch=b1)
    CustomerFactory(customer_no="60000002", name="赵六", mobile="", branch=b1)
    strategy = strategy_create(actor=None, name="季度问候", segment="all", content="customer_care", channel="sms", frequency="quarterly",
                               owner="call_centre", body="{name}您好，感谢您对我们的信任。")

    first = strategy_run(actor=None, strategy=strategy, period=dt.date(2026, 4, 1))
    again = strategy_run(actor=None, strategy=strategy, period=dt.date(2026, 6, 30))

    assert (first.messages, first.skipped, again.messages) == (1, 1, 0)
    assert OutboxMessage.objects.get().body_text == "王五您好，感谢您对我们的信任。"


def test_a_malformed_segment_code_is_refused_with_the_field_named(org_world):
    """A code that is neither built in nor KIND:VALUE is refused when the strategy is created, naming the segment field."""
    from brokercrm.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        strategy_create(actor=None, name="x", segment="high_value", content="wealth_report", channel="visit", frequency="monthly",
                        owner="service_staff")
    assert refused.value.field == "segment"


def test_cli_configures_the_channel_and_sends_the_outbox(smtp_server, capsys):
    """`brokercrm servicing channel email …` then `servicing send` delivers the queued e-mail and returns."""
    from brokercrm.servicing.services.outbox import message_enqueue

    message_enqueue(channel="email", recipient="a@example.com", subject="月报", body_text="您好", dedupe_key="cli:1")

    call_command("servicing", "channel", "email", "--host", "127.0.0.1", "--port", str(smtp_server.port), "--no-quiet")
    call_command("servicing", "send", "--channel", "email")

    assert ChannelConfig.objects.get(code="email").port == smtp_server.port
    assert [m["Subject"] for m in smtp_server.messages] == ["月报"]
    assert "sent 1, retried 0" in capsys.readouterr().out


def test_alerts_and_visits_run_as_downstream_steps_of_the_real_job_graph(org_world, settings, tmp_path):
    """The load graph from the CRM copy on, on a warehouse file, runs the servicing steps on the writer's open database."""
    from brokercrm.core.jobgraph import Load
    from brokercrm.datacenter import warehouse
    from brokercrm.datacenter.jobs import run_graph
    from brokercrm.datacenter.models import JobRun
    from brokercrm.servicing.tests.warehouse_data import DAYS, customer as ods_customer, d

    settings.WAREHOUSE_PATH = tmp_path / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    person = CustomerFactory(customer_no="70000001", branch=org_world["branches"][0], open_date=dt.date(2026, 3, 2))
    relate(person, org_world["staff"]["broker"], start=dt.date(2026, 3, 2))
    con = warehouse.connect()
    from brokercrm.datacenter.tests.ods_factory import OdsFactory

    f = OdsFactory(con).day(*DAYS[:2])
    f.branch("0001", on=DAYS[0])
    ods_customer(f, "70000001")
    f.rows["customers"][-1]["open_date"] = d(DAYS[0])
    f.assets(DAYS[0], "70000001", 0)
    f.cash_flow(DAYS[1], "70000001", flow_type="bank_in", amount=800_000)
    f.assets(DAYS[1], "70000001", 800_000)
    f.save()
    try:
        run_graph(Load(con=con, dates=[d(DAYS[0]), d(DAYS[1])]), start="crm")
    finally:
        con.close()

    alert = Alert.objects.get()
    assert (alert.customer.customer_no, alert.rule, alert.biz_date, alert.staff.staff_no) == ("70000001", "large_deposit", d(DAYS[1]), "S0003")
    assert ServiceTask.objects.filter(kind="visit_new", customer=person).get().due_date == dt.date(2026, 4, 2)
    assert JobRun.objects.get(job="alerts").rows_written == {"servicing.alerts": 1, "servicing.tasks": 1, "duplicates": 0,
                                                             "visit_exception": 0}
