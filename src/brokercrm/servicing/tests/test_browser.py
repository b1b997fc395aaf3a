"""Browser flows: the alerts inbox as a broker (own customers only), resolving an alert, recording a visit."""
import pytest

from brokercrm.core.tests.browser import login
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.servicing.tests.factories import AlertFactory, ServiceTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_broker_sees_only_own_customers_alerts_and_resolves_one(org_world, page):
    """The broker's inbox lists their customer's alert, not the other branch's; resolving it removes it from the open list."""
    mine = CustomerFactory(customer_no="10000001", name="张客户", branch=org_world["branches"][0])
    theirs = CustomerFactory(customer_no="10000002", name="李客户", branch=org_world["branches"][1])
    relate(mine, org_world["staff"]["broker"])
    relate(theirs, org_world["staff"]["other"])
    AlertFactory(customer=mine, staff=org_world["staff"]["broker"])
    other = AlertFactory(customer=theirs, staff=org_world["staff"]["other"], rule="large_deposit")

    login(page, "broker")
    page.click("[data-testid=menu] a[href='/service/alerts/']")
    table = page.locator("[data-testid=alert-table]").inner_text()
    assert "10000001" in table and "张客户" in table and "10000002" not in table

    page.click("tr[data-customer='10000001'] >> a.btn")
    page.select_option("#id_outcome", "contacted")
    page.fill("#id_note", "客户确认为购房款")
    page.click("button[type=submit]")
    page.wait_for_url("**/service/alerts/")
    assert "10000001" not in page.locator("[data-testid=alert-table]").inner_text()

    assert page.goto(f"/service/alerts/{other.pk}/").status == 404


def test_broker_records_a_visit_from_my_work_today(org_world, page):
    """A visit due today is on 'my work today'; the broker records it and the task shows as done."""
    import datetime as dt

    mine = CustomerFactory(customer_no="10000001", name="张客户", branch=org_world["branches"][0])
    relate(mine, org_world["staff"]["broker"])
    task = ServiceTaskFactory(customer=mine, staff=org_world["staff"]["broker"], due_date=dt.date.today())

    login(page, "broker")
    page.goto("/service/")
    assert page.locator("[data-testid=due-count]").inner_text() == "1"
    page.click("[data-testid=task-table] tr[data-customer='10000001'] >> a.btn")
    page.select_option("#id_outcome", "satisfied")
    page.fill("#id_note", "客户对服务满意")
    page.click("[data-testid=complete-form] button[type=submit]")
    page.wait_for_url(f"**/service/tasks/{task.pk}/")
    task.refresh_from_db()
    assert (task.status, task.outcome, task.outcome_note) == ("done", "satisfied", "客户对服务满意")


def test_agent_takes_a_call_task_pops_a_caller_and_records_the_call(org_world, page):
    """At the desk the agent takes the queued call task, calls from its masked card; then a caller's number pops another
    customer's masked card and the inbound call is recorded."""
    from brokercrm.servicing.models import CallRecord

    queued = CustomerFactory(customer_no="10000011", name="孙客户", mobile="13911112222", branch=org_world["branches"][1])
    caller = CustomerFactory(customer_no="10000012", name="周客户", mobile="13733334444", branch=org_world["branches"][0])
    task = ServiceTaskFactory(customer=queued, kind="strategy", title="黄金客户季度关怀电话", staff=None, call_centre=True)

    login(page, "agent")
    page.click("[data-testid=menu] a[href='/service/desk/']")
    assert "黄金客户季度关怀电话" in page.locator("[data-testid=call-queue]").inner_text()
    page.click("[data-testid=call-queue] [data-testid=take]")
    page.wait_for_url(f"**/service/desk/tasks/{task.pk}/")
    assert page.locator("[data-testid=masked-mobile]").inner_text() == "139****2222"
    page.select_option("#id_outcome", "answered")
    page.fill("#id_duration_seconds", "120")
    page.fill("#id_note", "客户表示满意")
    page.click("[data-testid=call-form] button[type=submit]")
    page.wait_for_url("**/service/desk/")

    page.fill("[data-testid=pop-form] input[name=number]", "13733334444")
    page.click("[data-testid=pop-form] button")
    assert page.locator("[data-testid=masked-mobile]").inner_text() == "137****4444"
    page.select_option("#id_outcome", "resolved")
    page.fill("#id_duration_seconds", "45")
    page.click("[data-testid=call-form] button[type=submit]")
    page.wait_for_url("**/service/desk/")

    calls = {c.customer_id: (c.direction, c.duration_seconds) for c in CallRecord.objects.all()}
    assert calls == {queued.pk: ("outbound", 120), caller.pk: ("inbound", 45)}
    task.refresh_from_db()
    assert task.status == "done"
