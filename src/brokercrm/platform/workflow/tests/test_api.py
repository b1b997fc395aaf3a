"""The workflow and relations API: apply, list tasks, approve and reject, all scoped; described in OpenAPI."""
import pytest
from django.test import Client

from brokercrm.org.access import api_token_create
from brokercrm.platform.workflow import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    """A client per user of the world, authenticated with a bearer token."""
    def client(name: str):
        token = api_token_create(user=world["users"][name])
        c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        c.get_json = lambda url: c.get(url)  # noqa: E731
        c.post_json = lambda url, body: c.post(url, body, content_type="application/json")  # noqa: E731
        return c
    return client


def test_apply_list_approve_through_the_api(world, api):
    """A broker applies; only the branch manager sees the task; another branch's manager gets 404; approval makes it effective."""
    broker, bm, bm2 = api("broker"), api("branch_manager"), api("branch_manager_2")
    from brokercrm.customers.tests.factories import CustomerFactory

    CustomerFactory(customer_no="10000002", name="客户乙", branch=world["branches"][0])
    r = broker.post_json("/api/relations/applications/add", {"customer_no": "10000002", "staff_no": "S0003", "start_date": "2024-05-06",
                                                            "reason": "walk-in"})
    assert r.status_code == 200, r.content
    application = r.json()
    assert (application["process"], application["status"]) == ("relation_add", "running")

    assert broker.get_json("/api/workflow/tasks").json() == [] and bm2.get_json("/api/workflow/tasks").json() == []
    tasks = bm.get_json("/api/workflow/tasks").json()
    assert [(t["instance_id"], t["step"], t["candidate_role"], t["candidate_branch"], t["applicant"]) for t in tasks] == [
        (application["id"], "branch_manager_approves", "branch_manager", "0001", "broker")]
    task_id = tasks[0]["id"]
    assert bm2.post_json(f"/api/workflow/tasks/{task_id}/approve", {}).status_code == 404
    assert broker.post_json(f"/api/workflow/tasks/{task_id}/approve", {}).json()["detail"] == \
        "self-approval is not allowed: you applied for this change or it concerns you"

    done = bm.post_json(f"/api/workflow/tasks/{task_id}/approve", {"comment": "welcome"}).json()
    assert done["status"] == "completed" and done["open_tasks"] == []
    assert [(h["actor"], h["action"], h["comment"]) for h in done["history"]][2] == ("bm", "approved", "welcome")
    assert [(r["customer_no"], r["staff_no"], r["start_date"], r["origin"]) for r in broker.get_json("/api/relations?customer_no=10000002").json()] == [
        ("10000002", "S0003", "2024-05-06", "workflow")]


def test_reject_needs_a_reason_and_out_of_scope_reads_are_404(world, api):
    """The manager's own application goes to head office; rejecting without a comment is a 400 on `comment`; others get 404."""
    from brokercrm.relations.models import Relation

    relation_id = Relation.objects.get().pk
    instance_id = api("branch_manager").post_json(f"/api/relations/{relation_id}/terminate", {"end_date": "2024-09-02"}).json()["id"]
    ho = api("head_office")
    tasks = ho.get_json("/api/workflow/tasks").json()
    assert [(t["instance_id"], t["candidate_role"], t["escalated"]) for t in tasks] == [(instance_id, "head_office", True)]

    r = ho.post_json(f"/api/workflow/tasks/{tasks[0]['id']}/reject", {"comment": ""})
    assert (r.status_code, r.json()) == (400, {"detail": "a reason is required to reject",
                                               "errors": [{"field": "comment", "message": "a reason is required to reject"}]})
    other = api("other_broker")
    assert other.get_json("/api/workflow/instances").json() == []
    assert [i["id"] for i in api("broker").get_json("/api/workflow/instances").json()] == [instance_id]
    assert other.get_json(f"/api/workflow/instances/{instance_id}").status_code == 404
    assert other.get_json("/api/relations/customers/10000001").status_code == 404
    assert other.post_json(f"/api/relations/{relation_id}/transfer", {"to_staff_no": "S0005", "effective_date": "2024-06-03"}).status_code == 404
    rejected = ho.post_json(f"/api/workflow/tasks/{tasks[0]['id']}/reject", {"comment": "keep serving"}).json()
    assert rejected["status"] == "rejected"
    assert api("broker").get_json(f"/api/workflow/instances/{instance_id}").json()["status"] == "rejected"
    assert Relation.objects.get().end_date is None


def test_openapi_describes_the_workflow_and_relation_endpoints(world, api):
    """The OpenAPI document lists applying, approving, rejecting and listing tasks."""
    paths = api("admin").get_json("/api/openapi.json").json()["paths"]
    for path in ["/api/workflow/tasks", "/api/workflow/tasks/{task_id}/approve", "/api/workflow/tasks/{task_id}/reject",
                 "/api/workflow/instances", "/api/workflow/instances/{instance_id}", "/api/relations/applications/add",
                 "/api/relations/{relation_id}/transfer", "/api/relations/{relation_id}/terminate",
                 "/api/relations/applications/bulk-transfer", "/api/relations/applications/bulk-transfer/preview",
                 "/api/relations/staff/{staff_no}/book"]:
        assert path in paths, path


def test_task_and_relation_lists_use_a_constant_number_of_queries(world, api, django_assert_max_num_queries):
    """Listing tasks and relations costs the same few queries for one row or many."""
    from brokercrm.customers.tests.factories import CustomerFactory
    from brokercrm.relations import applications

    for n in range(2, 7):
        customer = CustomerFactory(customer_no=f"1000000{n}", branch=world["branches"][0])
        applications.relation_add_apply(actor=world["users"]["broker"], customer=customer, staff=world["staff"]["broker"],
                                        relation_type="service", start_date=customer.open_date)
    bm = api("branch_manager")
    bm.get_json("/api/workflow/tasks")  # the token's first use is recorded once

    with django_assert_max_num_queries(6):
        assert len(bm.get_json("/api/workflow/tasks").json()) == 5
    for task in selectors.inbox_tasks(user=world["users"]["branch_manager"]):
        services.task_decide(actor=world["users"]["branch_manager"], task=task, approved=True)
    with django_assert_max_num_queries(6):
        assert len(bm.get_json("/api/relations").json()) == 6
