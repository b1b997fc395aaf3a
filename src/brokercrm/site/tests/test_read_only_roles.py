"""Separation of duties: compliance (read-only) writes nothing through the API, whatever the endpoint.

Every write operation (POST, PUT, PATCH, DELETE) of the OpenAPI document is called as compliance with a valid body
on records that exist (compliance sees the whole company); each answers 403 or 404 and no row of any table changes.
A write endpoint added to the API without a body here fails the test until it is added.
"""
import datetime as dt

import pytest
from django.apps import apps
from django.test import Client

from brokercrm.customers.services import customer_tag_add
from brokercrm.customers.tests.factories import CustomerFactory, ProspectFactory, relate
from brokercrm.objects import services as object_services
from brokercrm.objects.models import ObjectType
from brokercrm.platform.services import custom_field_create
from brokercrm.platform.workflow.models import WorkTask
from brokercrm.relations import applications
from brokercrm.relations.models import Relation
from brokercrm.servicing.models import ServiceTask
from brokercrm.servicing.tests.factories import ServiceTaskFactory

pytestmark = pytest.mark.django_db
WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def records(org_world):
    """A customer of broker S0003 (tagged), a prospect, a custom field, a service task, a pending application and a
    campaign (营销活动) of branch 0001."""
    users, staff, b1 = org_world["users"], org_world["staff"], org_world["branches"][0]
    customer = CustomerFactory(customer_no="10000001", branch=b1)
    relate(customer, staff["broker"])
    customer_tag_add(actor=users["broker"], customers=[customer], tag_name="重点")
    field = custom_field_create(actor=users["admin"], entity="customer", key="hobby", label="爱好", field_type="text")
    applications.relation_add_apply(actor=users["broker"], customer=CustomerFactory(customer_no="10000002", branch=b1),
                                    staff=staff["broker"], relation_type="development", start_date=dt.date(2024, 5, 6))
    return {"customer_no": "10000001", "tag": "重点", "pk_prospect": ProspectFactory(branch=b1, staff=staff["broker"]).pk,
            "pk_field": field.pk, "relation_id": Relation.objects.get(customer=customer).pk,
            "service_task_id": ServiceTaskFactory(customer=customer, staff=staff["broker"], kind=ServiceTask.Kind.ALERT).pk,
            "workflow_task_id": WorkTask.objects.get(status="open").pk,
            "campaign": object_services.record_create(actor=users["branch_manager"], object_type=ObjectType.objects.get(code="campaign"),
                                                       raw={"name": "开门红", "starts_on": "2026-01-05", "ends_on": "2026-01-30"}).number}


def _calls(r: dict) -> dict[tuple[str, str], tuple[str, dict | None]]:
    """(method, path template) → (path, a body the operation accepts from a role allowed to write)."""
    move = {"to_staff_no": "S0004", "effective_date": "2026-03-02", "reason": "hand-over"}
    complaint = {"values": {"customer": r["customer_no"], "channel": "phone", "summary": "投诉", "received_on": "2026-06-01"}}
    return {
        ("post", "/api/objects/{type_code}"): ("/api/objects/complaint", complaint),
        ("patch", "/api/objects/{type_code}/{number}"): (f"/api/objects/campaign/{r['campaign']}", {"values": {"outcome": "好"}}),
        ("put", "/api/objects/{type_code}/{number}"): (f"/api/objects/campaign/{r['campaign']}", {"values": {
            "name": "开门红", "starts_on": "2026-01-05", "ends_on": "2026-01-31"}}),
        ("delete", "/api/objects/{type_code}/{number}"): (f"/api/objects/campaign/{r['campaign']}", None),
        ("post", "/api/customers/{customer_no}/tags"): (f"/api/customers/{r['customer_no']}/tags", {"tag": "新标签"}),
        ("delete", "/api/customers/{customer_no}/tags/{tag}"): (f"/api/customers/{r['customer_no']}/tags/{r['tag']}", None),
        ("patch", "/api/customers/{customer_no}/custom-fields"): (f"/api/customers/{r['customer_no']}/custom-fields", {"hobby": "围棋"}),
        ("post", "/api/prospects"): ("/api/prospects", {"name": "新客户", "branch_code": "0001", "mobile": "13900009999"}),
        ("patch", "/api/prospects/{pk}"): (f"/api/prospects/{r['pk_prospect']}", {"name": "改名"}),
        ("delete", "/api/prospects/{pk}"): (f"/api/prospects/{r['pk_prospect']}", None),
        ("post", "/api/prospects/{pk}/notes"): (f"/api/prospects/{r['pk_prospect']}/notes", {"text": "电话沟通"}),
        ("post", "/api/relations/applications/add"): (
            "/api/relations/applications/add", {"customer_no": r["customer_no"], "staff_no": "S0004", "relation_type": "service",
                                                "start_date": "2026-03-02"}),
        ("post", "/api/relations/{relation_id}/transfer"): (f"/api/relations/{r['relation_id']}/transfer", move),
        ("post", "/api/relations/{relation_id}/terminate"): (f"/api/relations/{r['relation_id']}/terminate", {"end_date": "2026-03-02"}),
        ("post", "/api/relations/applications/bulk-transfer/preview"): (
            "/api/relations/applications/bulk-transfer/preview", {"from_staff_no": "S0003", **move}),
        ("post", "/api/relations/applications/bulk-transfer"): (
            "/api/relations/applications/bulk-transfer", {"from_staff_no": "S0003", **move}),
        ("post", "/api/callcentre/calls"): ("/api/callcentre/calls", {
            "customer_no": r["customer_no"], "direction": "outbound", "phone": "13800000001",
            "started_at": "2026-03-02T10:00:00+08:00", "duration_seconds": 60, "outcome": "contacted"}),
        ("post", "/api/service/tasks/{task_id}/done"): (f"/api/service/tasks/{r['service_task_id']}/done", {"outcome": "completed"}),
        ("post", "/api/service/opt-outs"): ("/api/service/opt-outs", {"customer_no": r["customer_no"], "channel": "sms", "opted_out": True}),
        ("post", "/api/custom-fields"): ("/api/custom-fields", {"entity": "customer", "key": "pet", "label": "宠物", "field_type": "text"}),
        ("patch", "/api/custom-fields/{pk}"): (f"/api/custom-fields/{r['pk_field']}", {"label": "兴趣"}),
        ("post", "/api/workflow/tasks/{task_id}/approve"): (f"/api/workflow/tasks/{r['workflow_task_id']}/approve", {"comment": "ok"}),
        ("post", "/api/workflow/tasks/{task_id}/reject"): (f"/api/workflow/tasks/{r['workflow_task_id']}/reject", {"comment": "no"}),
        ("post", "/api/recommendations"): ("/api/recommendations", {"customer_no": r["customer_no"], "market": "OF",
                                                                   "security_code": "000001", "channel": "sms"}),
    }


def _everything() -> dict[str, list[tuple]]:
    """Every row of every table (sessions aside), to show nothing changed."""
    return {m._meta.label: sorted(map(repr, m.objects.values_list())) for m in apps.get_models()
            if m._meta.label != "sessions.Session"}


def test_every_write_endpoint_of_the_api_is_covered(org_world, client):
    """The table of calls holds exactly the write operations the OpenAPI document declares."""
    client.force_login(org_world["users"]["admin"])
    document = client.get("/api/openapi.json").json()
    declared = {(m, path) for path, ops in document["paths"].items() for m in ops if m in WRITES}
    assert declared == set(_calls({k: 0 for k in ("customer_no", "tag", "pk_prospect", "pk_field", "relation_id",
                                                  "service_task_id", "workflow_task_id", "campaign")}))


def test_compliance_writes_nothing_through_any_api_endpoint(records, org_world):
    """As compliance every write operation answers 403 or 404, and no row of any table changed."""
    client = Client()
    client.force_login(org_world["users"]["compliance"])
    before = _everything()

    answers = {}
    for (method, template), (path, body) in _calls(records).items():
        response = getattr(client, method)(path, body, content_type="application/json") if body is not None else getattr(client, method)(path)
        answers[(method, template)] = response.status_code

    assert {call: code for call, code in answers.items() if code not in (403, 404)} == {}
    assert _everything() == before
