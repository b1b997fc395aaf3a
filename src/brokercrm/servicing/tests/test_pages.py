"""Servicing pages and API through the data scope: a broker sees own customers only; other ids answer 404."""
import datetime as dt

import pytest
from django.test import Client

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.servicing.models import CallRecord, ServiceTask
from brokercrm.servicing.tests.factories import AlertFactory, ServiceTaskFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _two_customers(org_world):
    """Customer 10000001 belongs to the broker (S0003), 10000002 to the other branch's broker (S0005)."""
    mine = CustomerFactory(customer_no="10000001", name="张客户", mobile="13800000001", branch=org_world["branches"][0])
    theirs = CustomerFactory(customer_no="10000002", name="李客户", mobile="13800000002", branch=org_world["branches"][1])
    relate(mine, org_world["staff"]["broker"])
    relate(theirs, org_world["staff"]["other"])
    return mine, theirs


def test_alert_inbox_lists_own_customers_only_and_another_alert_is_404(org_world):
    """The broker's inbox shows their customer's alert; the other branch's alert URL answers 404."""
    mine, theirs = _two_customers(org_world)
    AlertFactory(customer=mine, staff=org_world["staff"]["broker"])
    other = AlertFactory(customer=theirs, staff=org_world["staff"]["other"])
    broker = _client(org_world["users"]["broker"])

    page = broker.get("/service/alerts/").content.decode()

    assert "10000001" in page and "10000002" not in page
    assert broker.get(f"/service/alerts/{other.pk}/").status_code == 404


def test_resolving_an_alert_through_the_page(org_world):
    """The broker posts an outcome; the alert is resolved and its bad outcome would have been named."""
    mine, _ = _two_customers(org_world)
    alert = AlertFactory(customer=mine, staff=org_world["staff"]["broker"])
    broker = _client(org_world["users"]["broker"])

    bad = broker.post(f"/service/alerts/{alert.pk}/", {"outcome": "maybe"})
    good = broker.post(f"/service/alerts/{alert.pk}/", {"outcome": "contacted", "note": "已电话沟通"})

    assert bad.status_code == 200 and 'data-field-error="outcome"' in bad.content.decode()
    assert good.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.resolved_by.username) == ("resolved", "contacted", "broker")


def test_my_work_today_shows_due_tasks_and_routed_alerts(org_world):
    """Overdue and due-today tasks are listed, a task due next month is not; the open alert is counted."""
    mine, _ = _two_customers(org_world)
    today = dt.date.today()
    ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"], due_date=today - dt.timedelta(days=2))
    ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"], due_date=today)
    ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"], due_date=today + dt.timedelta(days=30))
    AlertFactory(customer=mine, staff=org_world["staff"]["broker"])

    response = _client(org_world["users"]["broker"]).get("/service/")

    context = response.context
    assert (context["due"].count(), context["upcoming"].count(), context["alerts"].count()) == (2, 0, 1)


def test_a_visit_recorded_on_the_page_then_spot_checked_by_the_branch_manager(org_world):
    """The broker saves a visit outcome; the branch manager's spot-check shows in the visit records."""
    mine, _ = _two_customers(org_world)
    task = ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"])

    _client(org_world["users"]["broker"]).post(f"/service/tasks/{task.pk}/", {"action": "complete", "outcome": "satisfied", "note": "满意"})
    _client(org_world["users"]["branch_manager"]).post(f"/service/tasks/{task.pk}/", {"action": "check", "passed": "1", "note": "核对"})

    records = _client(org_world["users"]["compliance"]).get("/service/visits/").content.decode()
    task.refresh_from_db()
    assert (task.status, task.check_status) == ("done", "passed")
    assert "10000001" in records and "满意" in records


def test_other_pages_render_for_head_office(org_world):
    """Tasks, visits, outbox, strategies and rules all answer 200 for head office."""
    client = _client(org_world["users"]["head_office"])
    for url in ("/service/tasks/?status=all", "/service/visits/", "/service/outbox/", "/service/strategies/", "/service/alerts/rules/"):
        assert client.get(url).status_code == 200, url


def test_head_office_configures_a_rule_on_the_page_and_a_bad_value_is_named(org_world):
    """A percent of 150 is refused with the field named; 40 is stored."""
    client = _client(org_world["users"]["head_office"])

    bad = client.post("/service/alerts/rules/", {"code": "assets_drop", "enabled": "1", "percent": "150"})
    good = client.post("/service/alerts/rules/", {"code": "assets_drop", "enabled": "1", "percent": "40"})

    assert "percent: must be between 0 and 100" in bad.content.decode()
    assert good.status_code == 302
    from brokercrm.servicing.models import AlertRule
    assert AlertRule.objects.get(code="assets_drop").parameters == {"percent": "40"}


def test_screen_pop_returns_the_callers_card_within_scope(org_world):
    """The broker's number lookup finds their customer (with +86 prefix); another branch's number answers 404."""
    mine, _ = _two_customers(org_world)
    AlertFactory(customer=mine, staff=org_world["staff"]["broker"])
    broker = _client(org_world["users"]["broker"])

    card = broker.get("/api/callcentre/screen-pop", {"number": "+86 138 0000 0001"})
    hidden = broker.get("/api/callcentre/screen-pop", {"number": "13800000002"})

    assert card.status_code == 200
    body = card.json()
    assert (body["customer_no"], body["name"], body["mobile"], body["responsible_staff"]) == ("10000001", "张客户", "138****0001", "S0003")
    assert [a["rule"] for a in body["open_alerts"]] == ["large_withdrawal"]
    assert hidden.status_code == 404


def test_an_agent_records_a_call_on_a_task_and_lists_outbound_calls(org_world):
    """The service agent holding a service relation records a 95-second call on their task; other customers are 404."""
    mine, theirs = _two_customers(org_world)
    agent_staff = org_world["users"]["service_agent"].staff
    relate(mine, agent_staff, "service")
    task = ServiceTaskFactory(customer=mine, staff=agent_staff, kind=ServiceTask.Kind.ALERT)
    agent = _client(org_world["users"]["service_agent"])

    outbound = agent.get("/api/callcentre/outbound").json()
    created = agent.post("/api/callcentre/calls", {"customer_no": "10000001", "direction": "outbound", "phone": "13800000001",
                                                   "started_at": "2026-03-03T10:00:00+08:00", "duration_seconds": 95,
                                                   "outcome": "answered", "task_id": task.pk}, content_type="application/json")
    refused = agent.post("/api/callcentre/calls", {"customer_no": "10000002", "direction": "outbound", "phone": "13800000002",
                                                   "started_at": "2026-03-03T10:00:00+08:00", "duration_seconds": 5,
                                                   "outcome": "answered"}, content_type="application/json")
    bad = agent.post("/api/callcentre/calls", {"customer_no": "10000001", "direction": "sideways", "phone": "1",
                                               "started_at": "2026-03-03T10:00:00+08:00", "duration_seconds": 5,
                                               "outcome": "answered"}, content_type="application/json")

    assert [t["id"] for t in outbound] == [task.pk]
    assert created.status_code == 201 and created.json()["duration_seconds"] == 95
    assert refused.status_code == 404
    assert bad.status_code == 400 and bad.json()["errors"] == [{"field": "direction", "message": "unknown direction 'sideways'"}]
    assert CallRecord.objects.get().task == task


def test_task_api_lists_own_tasks_and_completes_one(org_world):
    """GET /api/service/tasks lists in-scope tasks only; POST …/done records the outcome; others' tasks are 404."""
    mine, theirs = _two_customers(org_world)
    own = ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"], kind=ServiceTask.Kind.ALERT)
    other = ServiceTaskFactory(customer=theirs, staff=org_world["staff"]["other"])
    broker = _client(org_world["users"]["broker"])

    listed = broker.get("/api/service/tasks").json()
    done = broker.post(f"/api/service/tasks/{own.pk}/done", {"outcome": "completed"}, content_type="application/json")
    hidden = broker.post(f"/api/service/tasks/{other.pk}/done", {"outcome": "completed"}, content_type="application/json")

    assert [t["customer_no"] for t in listed] == ["10000001"]
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert hidden.status_code == 404


def test_opt_out_api_and_requeue_of_an_interrupted_message(org_world):
    """The broker records an SMS opt-out for their customer (another's is 404); head office requeues an unknown message."""
    from brokercrm.servicing.models import OptOut, OutboxMessage
    from brokercrm.servicing.services.outbox import message_enqueue

    mine, theirs = _two_customers(org_world)
    broker = _client(org_world["users"]["broker"])

    ok = broker.post("/api/service/opt-outs", {"customer_no": "10000001", "channel": "sms", "opted_out": True}, content_type="application/json")
    hidden = broker.post("/api/service/opt-outs", {"customer_no": "10000002", "channel": "sms", "opted_out": True}, content_type="application/json")
    bad = broker.post("/api/service/opt-outs", {"customer_no": "10000001", "channel": "fax", "opted_out": True}, content_type="application/json")
    message, _ = message_enqueue(channel="email", recipient="a@example.com", body_text="x", dedupe_key="requeue:1", customer_id=mine.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(status="unknown", attempts=1)
    requeued = _client(org_world["users"]["head_office"]).post(f"/service/outbox/{message.pk}/requeue/")

    assert (ok.status_code, hidden.status_code, bad.status_code) == (200, 404, 400)
    assert list(OptOut.objects.values_list("customer__customer_no", "channel")) == [("10000001", "sms")]
    message.refresh_from_db()
    assert requeued.status_code == 302 and (message.status, message.attempts) == ("pending", 0)


def test_a_service_agent_screen_pops_any_caller_and_the_look_up_is_audited(org_world):
    """The call centre answers for the whole company: an agent's screen pop finds a caller outside their relations, audited."""
    from brokercrm.core.models import AuditEntry

    _, theirs = _two_customers(org_world)
    agent = _client(org_world["users"]["service_agent"])

    card = agent.get("/api/callcentre/screen-pop", {"number": "13800000002"})
    unknown = agent.get("/api/callcentre/screen-pop", {"number": "13999999999"})

    assert card.status_code == 200 and card.json()["customer_no"] == theirs.customer_no
    assert card.json()["mobile"] == "138****0002"
    assert unknown.status_code == 404
    entry = AuditEntry.objects.get(action="view", object_id=str(theirs.pk))
    assert (entry.actor_label, entry.note) == ("agent", "screen pop 138****0002")


@pytest.mark.parametrize("who, allowed", [
    ("broker", True), ("branch_manager", True), ("head_office", True), ("admin", True),
    ("team_leader", False), ("manager_of_0002", False)])
def test_completing_someone_elses_task_needs_their_managers_role(org_world, who, allowed):
    """Given S0003's task, the assignee, the branch manager of branch 0001, head office and admin complete it; the team
    leader (who sees the team's tasks) and another branch's manager are refused and the task stays open."""
    from django.core.exceptions import PermissionDenied

    from brokercrm.org.roles import Role
    from brokercrm.org.tests.factories import user_for
    from brokercrm.servicing.services.tasks import task_complete

    org_world["users"]["manager_of_0002"] = user_for(Role.BRANCH_MANAGER, branch=org_world["branches"][1], username="bm2")
    mine, _theirs = _two_customers(org_world)
    task = ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"], kind=ServiceTask.Kind.ALERT)
    actor = org_world["users"][who]

    if allowed:
        task_complete(actor=actor, task=task, outcome="completed")
    else:
        with pytest.raises(PermissionDenied):
            task_complete(actor=actor, task=task, outcome="completed")

    task.refresh_from_db()
    assert (task.status, task.done_by) == (("done", actor) if allowed else ("open", None))


def test_a_team_leader_completing_a_members_task_by_api_or_page_gets_403(org_world):
    """The team leader sees S0003's task in scope but is not S0003's manager: POST …/done and the page's complete
    answer 403 and the task stays open."""
    mine, _theirs = _two_customers(org_world)
    task = ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"], kind=ServiceTask.Kind.ALERT)
    leader = _client(org_world["users"]["team_leader"])

    api = leader.post(f"/api/service/tasks/{task.pk}/done", {"outcome": "completed"}, content_type="application/json")
    page = leader.post(f"/service/tasks/{task.pk}/", {"action": "complete", "outcome": "completed", "note": "x"})

    task.refresh_from_db()
    assert (api.status_code, page.status_code, task.status) == (403, 403, "open")
