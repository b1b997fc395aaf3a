"""The objects API: every type through the same endpoints, in the OpenAPI document, scoped, 422 naming the field."""
import pytest

from brokercrm.objects.models import ObjectRecord

pytestmark = pytest.mark.django_db

BODY = {"values": {"customer": "1001", "channel": "counter", "summary": "柜台排队过久", "received_on": "2026-06-01"}}


def api(client, world, who: str):
    client.force_login(world["users"][who])
    return client


def test_post_creates_a_complaint_and_a_missing_required_field_is_a_422_naming_it(client, world):
    """POST /api/objects/complaint records the broker's complaint (201); without summary it answers 422 naming summary."""
    c = api(client, world, "broker")
    missing = c.post("/api/objects/complaint", {"values": {"customer": "1001", "channel": "phone"}}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json() == {"detail": "summary: is required", "reasons": ["summary"]}
    created = c.post("/api/objects/complaint", BODY, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["number"], body["state"], body["owner_staff_no"], body["branch_code"], body["due_on"]) == \
        ("TS000001", "registered", "S0003", "0001", "2026-06-08")
    assert body["values"] == {**BODY["values"], "severity": "normal"}


def test_out_of_scope_customer_and_record_answer_404_and_lists_are_scoped(client, world):
    """A customer of another branch is a 404 on create; the other broker neither lists nor reads the record (404)."""
    c = api(client, world, "broker")
    foreign = dict(BODY, values=dict(BODY["values"], customer="2001"))
    assert c.post("/api/objects/complaint", foreign, content_type="application/json").status_code == 404
    number = c.post("/api/objects/complaint", BODY, content_type="application/json").json()["number"]
    assert [r["number"] for r in c.get("/api/objects/complaint").json()] == [number]
    client.logout()
    other = api(client, world, "other_broker")
    assert other.get("/api/objects/complaint").json() == []
    assert other.get(f"/api/objects/complaint/{number}").status_code == 404
    assert other.patch(f"/api/objects/complaint/{number}", {"values": {"severity": "serious"}},
                       content_type="application/json").status_code == 404


def test_patch_put_and_delete_follow_the_types_permissions(client, world):
    """The broker patches a value; a PUT leaving out the required summary and date is a 422 naming both; the broker may not delete (403), the admin may (204)."""
    c = api(client, world, "broker")
    number = c.post("/api/objects/complaint", BODY, content_type="application/json").json()["number"]
    patched = c.patch(f"/api/objects/complaint/{number}", {"values": {"severity": "serious"}}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["values"]["severity"] == "serious"
    put = c.put(f"/api/objects/complaint/{number}", {"values": {"customer": "1001", "channel": "phone"}},
                content_type="application/json")
    assert put.status_code == 422 and put.json()["reasons"] == ["summary", "received_on"]
    assert c.delete(f"/api/objects/complaint/{number}").status_code == 403
    client.logout()
    assert api(client, world, "admin").delete(f"/api/objects/complaint/{number}").status_code == 204
    assert not ObjectRecord.objects.exists()


def test_compliance_reads_but_may_not_create(client, world):
    """Compliance lists complaints (read) but a POST is refused with 403 and stores nothing."""
    c = api(client, world, "compliance")
    assert c.get("/api/objects/complaint").status_code == 200
    assert c.post("/api/objects/complaint", BODY, content_type="application/json").status_code == 403
    assert not ObjectRecord.objects.exists()


def test_the_endpoints_are_in_the_openapi_document(client, world):
    """The OpenAPI document lists the objects paths with their 404 and 422 answers."""
    paths = api(client, world, "admin").get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/objects/{type_code}"]) == {"get", "post"}
    assert set(paths["/api/objects/{type_code}/{number}"]) == {"get", "patch", "put", "delete"}
    assert {"404", "422"} <= set(paths["/api/objects/{type_code}"]["post"]["responses"])
