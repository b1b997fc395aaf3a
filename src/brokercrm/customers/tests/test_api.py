import pytest

from brokercrm.core.models import AuditEntry
from brokercrm.customers.models import Prospect
from brokercrm.customers.tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def api(client, book, who: str):
    client.force_login(book["users"][who])
    return client


def test_search_endpoint_is_scoped_masked_and_paged(client, book):
    """GET /api/customers?q=5678 gives the broker their two customers, masked, with count and results."""
    body = api(client, book, "broker").get("/api/customers", {"q": "5678"}).json()
    assert body["count"] == 2 and [r["customer_no"] for r in body["results"]] == ["1001", "2001"]
    assert body["results"][0]["mobile"] == "138****5678" and body["results"][0]["id_no"] == "310***********1234"
    admin = api(client, book, "admin").get("/api/customers", {"q": "5678", "limit": 2, "offset": 2}).json()
    assert admin["count"] == 4 and [r["customer_no"] for r in admin["results"]] == ["10031", "2001"]


def test_detail_endpoint_answers_404_outside_scope(client, book):
    """GET /api/customers/{no} shows an own customer and 404 for another branch's, like a missing one."""
    c = api(client, book, "broker")
    detail = c.get("/api/customers/1001").json()
    assert (detail["customer_no"], detail["email"], detail["risk_level"]) == ("1001", "z***@example.com", "C4")
    assert c.get("/api/customers/10031").status_code == 404
    assert c.get("/api/customers/99999999").status_code == 404


def test_tag_endpoints_are_scoped_and_audited(client, book):
    """Tagging an own customer works and is audited; another broker's customer is a 404; compliance may not write (403)."""
    c = api(client, book, "broker")
    assert c.post("/api/customers/1001/tags", {"tag": "高净值"}, content_type="application/json").json() == ["高净值"]
    assert c.get("/api/tags").json() == ["高净值"]
    assert c.post("/api/customers/10031/tags", {"tag": "x"}, content_type="application/json").status_code == 404
    assert c.delete("/api/customers/1001/tags/高净值").json() == []
    assert AuditEntry.objects.filter(object_type="customers.customer", action="update").count() == 2
    client.logout()
    assert api(client, book, "compliance").post("/api/customers/1001/tags", {"tag": "x"},
                                                content_type="application/json").status_code == 403


def test_custom_field_values_endpoint_validates_and_scopes(client, book):
    """PATCH custom-fields stores valid values, answers 400 naming a bad field, and 404 outside scope."""
    from brokercrm.platform.services import custom_field_create

    custom_field_create(actor=book["users"]["admin"], entity="customer", key="aum_target", label="目标资产", field_type="decimal")
    c = api(client, book, "broker")
    ok = c.patch("/api/customers/1001/custom-fields", {"aum_target": "500000.50"}, content_type="application/json")
    assert ok.json() == {"aum_target": "500000.50"}
    bad = c.patch("/api/customers/1001/custom-fields", {"aum_target": "lots"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"] == [{"field": "aum_target", "line": None, "message": "'lots' is not a decimal number"}]
    assert c.patch("/api/customers/10031/custom-fields", {"aum_target": "1"}, content_type="application/json").status_code == 404


def test_prospect_crud_through_the_api_within_scope(client, book):
    """Create, read, patch (assign, status), note and delete a prospect; another broker's prospect is a 404."""
    c = api(client, book, "broker")
    created = c.post("/api/prospects", {"name": "孙七", "branch_code": "0001", "mobile": "13500002222", "staff_no": "S0003"},
                     content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["mobile"] == "135****2222"
    assert c.get(f"/api/prospects/{pk}").json()["staff_no"] == "S0003"
    patched = c.patch(f"/api/prospects/{pk}", {"status": "following", "source": "转介绍"}, content_type="application/json").json()
    assert (patched["status"], patched["source"]) == ("following", "转介绍")
    assert c.post(f"/api/prospects/{pk}/notes", {"text": "电话沟通"}, content_type="application/json").status_code == 201
    assert c.patch(f"/api/prospects/{pk}", {"status": "converted"}, content_type="application/json").status_code == 400
    theirs = ProspectFactory(branch=book["branches"][1], staff=book["staff"]["other"])
    assert c.get(f"/api/prospects/{theirs.pk}").status_code == 404
    assert c.delete(f"/api/prospects/{theirs.pk}").status_code == 404
    assert [p["id"] for p in c.get("/api/prospects").json()] == [pk]
    assert c.delete(f"/api/prospects/{pk}").status_code == 204
    assert not Prospect.objects.filter(pk=pk).exists()


def test_prospect_create_refuses_a_branch_outside_scope(client, book):
    """A broker of branch 0001 cannot create a prospect in branch 0002: 400 naming branch_code."""
    response = api(client, book, "broker").post("/api/prospects", {"name": "x", "branch_code": "0002", "mobile": "13500003333"},
                                                content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "branch_code"


def test_endpoints_are_in_the_openapi_document(client, book):
    """The OpenAPI document lists the customer, prospect, tag and custom-field paths."""
    paths = api(client, book, "admin").get("/api/openapi.json").json()["paths"]
    for path in ("/api/customers", "/api/customers/{customer_no}", "/api/prospects", "/api/prospects/{pk}", "/api/tags",
                 "/api/customers/{customer_no}/tags", "/api/customers/{customer_no}/custom-fields", "/api/custom-fields"):
        assert path in paths


def test_bearer_token_reads_within_the_tokens_user_scope(client, book):
    """Another system calling with the broker's token sees the broker's scope."""
    from brokercrm.org.access import api_token_create

    token = api_token_create(user=book["users"]["broker"])
    body = client.get("/api/customers", {"q": "5678"}, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [r["customer_no"] for r in body["results"]] == ["1001", "2001"]


@pytest.mark.parametrize("path", ["/api/customers", "/api/prospects"])
@pytest.mark.parametrize("field,value,message", [
    ("limit", 2**63, "Input should be less than or equal to 200"),
    ("limit", 0, "Input should be greater than or equal to 1"),
    ("offset", 2**63, "Input should be less than or equal to 2147483647"),
    ("offset", -1, "Input should be greater than or equal to 0"),
])
def test_out_of_range_paging_is_a_400_naming_the_field(client, book, path, field, value, message):
    """Issue 19: an offset of 2^63 answered 500; every list endpoint answers 400 with the field named, for any bad limit or offset."""
    response = api(client, book, "admin").get(path, {field: value})

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid input.", "errors": [{"field": field, "message": message}]}


def test_prospect_list_pages_with_limit_and_offset(client, book):
    """GET /api/prospects?limit=1&offset=1 gives the second prospect of the list alone."""
    ProspectFactory.create_batch(3, branch=book["branches"][0])
    every = [p["id"] for p in api(client, book, "admin").get("/api/prospects").json()]

    page = api(client, book, "admin").get("/api/prospects", {"limit": 1, "offset": 1}).json()

    assert len(every) >= 3 and [p["id"] for p in page] == every[1:2]
