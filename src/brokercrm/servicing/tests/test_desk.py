"""The call-centre desk: the shared queue, taking a task, visibility of assigned tasks, screen pop and the call record."""
import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.servicing.models import CallRecord, ServiceTask
from brokercrm.servicing.selectors import call_queue, task_list
from brokercrm.servicing.services.tasks import task_take
from brokercrm.servicing.tests.factories import ServiceTaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(org_world):
    customer = CustomerFactory(customer_no="90000001", name="孙七", mobile="13912345678", branch=org_world["branches"][1])
    task = ServiceTaskFactory(customer=customer, kind="strategy", title="钻石客户季度电话", call_centre=True, staff=None,
                              due_date=dt.date(2026, 3, 31))
    return org_world | {"customer": customer, "task": task}


def test_agents_see_the_queue_and_one_takes_a_task(queued):
    """The queued task is in every agent's queue; once taken it is the agent's, leaves the queue, and cannot be taken twice."""
    agent = queued["users"]["service_agent"]
    assert list(call_queue(user=agent)) == [queued["task"]]
    assert list(call_queue(user=queued["users"]["broker"])) == []
    task = task_take(actor=agent, task=queued["task"])
    assert task.staff_id == agent.staff_id
    assert list(call_queue(user=agent)) == []
    with pytest.raises(DomainError, match="another agent has taken this task"):
        task_take(actor=agent, task=task)


def test_a_task_assigned_to_a_person_is_visible_whatever_their_relations(queued):
    """A broker with no relation to the customer sees the task assigned to them, but not another's task on that customer."""
    broker = queued["users"]["broker"]
    assert list(task_list(user=broker)) == []
    mine = ServiceTaskFactory(customer=queued["customer"], staff=queued["staff"]["broker"], kind="manual")
    ServiceTaskFactory(customer=queued["customer"], staff=queued["staff"]["colleague"], kind="manual")
    assert list(task_list(user=broker)) == [mine]


def test_the_agent_takes_a_task_sees_only_its_customer_card_and_records_the_call(client, queued):
    """Take from the desk → the masked card of the task's customer → a call that completes the task with a follow-up."""
    agent = queued["users"]["service_agent"]
    client.force_login(agent)
    page = client.get(reverse("servicing:desk"))
    assert page.status_code == 200 and "钻石客户季度电话" in page.content.decode()
    response = client.post(reverse("servicing:desk_take", args=[queued["task"].pk]))
    assert response.url == reverse("servicing:desk_task", args=[queued["task"].pk])
    card = client.get(response.url).content.decode()
    assert "139****5678" in card and "13912345678" not in card
    other = ServiceTaskFactory(customer=CustomerFactory(customer_no="90000002"), call_centre=True, staff=None)
    assert client.get(reverse("servicing:desk_task", args=[other.pk])).status_code == 404
    client.post(response.url, {"outcome": "answered", "duration_seconds": "95", "note": "客户已知悉", "complete_task": "on",
                               "follow_up_title": "下周回电确认", "follow_up_due": "2099-01-05"})
    call = CallRecord.objects.get()
    assert (call.customer.customer_no, call.duration_seconds, call.direction, call.task_id) == ("90000001", 95, "outbound", queued["task"].pk)
    queued["task"].refresh_from_db()
    assert (queued["task"].status, queued["task"].outcome) == ("done", "completed")
    follow_up = ServiceTask.objects.get(kind="manual")
    assert (follow_up.title, follow_up.staff_id, follow_up.due_date) == ("下周回电确认", agent.staff_id, dt.date(2099, 1, 5))


@override_settings(BROKERCRM_IDENTITY_SEARCHES_PER_HOUR=2)
def test_screen_pop_is_masked_audited_and_rate_limited(client, queued):
    """The agent pops the caller by number: masked card, an audited search; beyond the hourly allowance it is refused."""
    client.force_login(queued["users"]["service_agent"])
    page = client.get(reverse("servicing:desk_pop"), {"number": "+86 139 1234 5678"})
    assert page.status_code == 200 and "139****5678" in page.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH, object_repr="139****5678").count() == 1
    client.get(reverse("servicing:desk_pop"), {"number": "13912345678"})
    refused = client.get(reverse("servicing:desk_pop"), {"number": "13912345678"}, follow=True)
    assert refused.redirect_chain == [(reverse("servicing:desk"), 302)]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).count() == 2


def test_a_task_created_by_hand_from_the_360_page(client, queued):
    """The broker holding the customer creates a task on its 360 page: it is theirs, kind manual, source manual:…"""
    client.force_login(queued["users"]["broker"])
    queued["customer"].branch = queued["branches"][0]
    queued["customer"].save()
    from brokercrm.customers.tests.factories import relate

    relate(queued["customer"], queued["staff"]["broker"])
    client.post(reverse("servicing:customer_task_create", args=["90000001"]), {"title": "生日问候电话", "due_date": "2099-03-01"})
    task = ServiceTask.objects.get(kind="manual")
    assert (task.title, task.staff.staff_no, task.source_key.startswith("manual:")) == ("生日问候电话", "S0003", True)
