"""The pages, from the definition alone: an admin defines a type and a field on the page, a broker records through the
form at once (no restart, no migration); lists are scoped, the 360 page shows the customer's complaints."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brokercrm.objects.models import ObjectRecord, ObjectType

pytestmark = pytest.mark.django_db


def login(client, world, who: str):
    client.force_login(world["users"][who])
    return client


def test_an_admin_defines_a_type_and_a_field_on_the_pages_and_it_is_used_at_once(client, world):
    """Creating the type 'hotline' and adding its 'topic' field on the admin pages makes its list, form and detail work."""
    c = login(client, world, "admin")
    created = c.post("/objects/types/", {"code": "hotline", "name_zh": "热线记录", "name_en": "Hotline", "owner_rule": "customer"})
    assert created.status_code == 302 and created["Location"] == "/objects/types/hotline/"
    added = c.post("/objects/types/hotline/", {"action": "field", "key": "topic", "name_zh": "主题", "kind": "choice",
                                               "choices": "fees|佣金|Fees\nother|其他|Other", "required": "on"})
    assert added.status_code == 302
    assert [f["key"] for f in ObjectType.objects.get(code="hotline").definition["fields"]] == ["customer", "topic"]
    form = c.get("/objects/hotline/new/").content.decode()
    assert 'name="f_topic"' in form and "佣金" in form
    saved = c.post("/objects/hotline/new/", {"f_customer": "1001", "f_topic": "fees"})
    assert saved.status_code == 302 and saved["Location"] == "/objects/hotline/HO000001/"
    detail = c.get("/objects/hotline/HO000001/").content.decode()
    assert "佣金" in detail and 'data-testid="record-history"' in detail


def test_a_broker_records_a_complaint_through_the_form_and_sees_it_on_the_360_page(client, world):
    """The form names a missing summary; once given, the complaint is on the list, on the customer's 360 page and, for
    the branch manager, on its process page with a link to the record."""
    c = login(client, world, "broker")
    refused = c.post("/objects/complaint/new/", {"f_customer": "1001", "f_channel": "phone", "f_received_on": "2026-06-01"})
    assert refused.status_code == 200 and 'data-field-error="f_summary"' in refused.content.decode()
    ok = c.post("/objects/complaint/new/", {"f_customer": "1001", "f_channel": "phone", "f_summary": "营业部电话无人接听",
                                            "f_received_on": "2026-06-01", "f_severity": "normal"})
    assert ok.status_code == 302
    listing = c.get("/objects/complaint/", {"channel": "phone"}).content.decode()
    assert 'data-number="TS000001"' in listing and "电话" in listing
    assert 'data-number="TS000001"' not in c.get("/objects/complaint/", {"channel": "counter"}).content.decode()
    page = c.get("/customers/1001/").content.decode()
    assert 'data-panel="objects"' in page and "/objects/complaint/TS000001/" in page
    client.logout()
    instance_id = ObjectRecord.objects.get().process_instance_id
    application = login(client, world, "branch_manager").get(f"/workflow/instances/{instance_id}/").content.decode()
    assert 'data-testid="object-application"' in application and "/objects/complaint/TS000001/" in application


def test_scope_and_read_only_roles_on_the_pages(client, world):
    """Another branch's broker gets 404 for the record; compliance reads it but may not open the form (403); a customer
    outside the broker's scope on the form answers 404."""
    c = login(client, world, "broker")
    assert c.post("/objects/complaint/new/", {"f_customer": "2001", "f_channel": "phone", "f_summary": "x",
                                              "f_received_on": "2026-06-01"}).status_code == 404
    c.post("/objects/complaint/new/", {"f_customer": "1001", "f_channel": "phone", "f_summary": "x", "f_received_on": "2026-06-01"})
    client.logout()
    assert login(client, world, "other_broker").get("/objects/complaint/TS000001/").status_code == 404
    client.logout()
    compliance = login(client, world, "compliance")
    assert compliance.get("/objects/complaint/TS000001/").status_code == 200
    assert compliance.get("/objects/complaint/new/").status_code == 403
    assert compliance.get("/objects/types/").status_code == 403
    assert ObjectRecord.objects.count() == 1


def test_export_and_import_pages(client, world):
    """The branch manager exports the complaints as CSV (formulas neutralised) and a bad import lists FILE:LINE:COLUMN."""
    c = login(client, world, "broker")
    c.post("/objects/complaint/new/", {"f_customer": "1001", "f_channel": "phone", "f_summary": "=HYPERLINK(1)",
                                       "f_received_on": "2026-06-01", "f_severity": "normal"})
    client.logout()
    bm = login(client, world, "branch_manager")
    csv = b"".join(bm.get("/objects/complaint/export/").streaming_content).decode()
    assert csv.splitlines()[0] == "number,state,customer,channel,category,summary,received_on,severity"
    assert csv.splitlines()[1] == "TS000001,registered,1001,phone,,'=HYPERLINK(1),2026-06-01,normal"
    upload = SimpleUploadedFile("bad.csv", "customer,channel,summary\n1001,phone,\n".encode())
    page = bm.post("/objects/complaint/import/", {"file": upload}).content.decode()
    assert "bad.csv:2:summary: is required" in page and ObjectRecord.objects.count() == 1


def test_a_menu_item_for_an_object_list_shows_only_to_roles_that_may_read_the_type(client, world):
    """Issue 17 acceptance: 投诉处理 (/objects/complaint/) added for branch managers shows in their menu at the next
    request; an item for campaigns (which service agents may not read) stays hidden from service agents, and removing
    the branch managers' read permission hides their item at once."""
    from brokercrm.objects import definition as d
    from brokercrm.objects.services import definition_node, type_save
    from brokercrm.org.facade import menu_item_add

    admin = world["users"]["admin"]
    menu_item_add(actor=admin, role_code="branch_manager", section="客户服务", kind="object_list", target="/objects/complaint/",
                  label="投诉处理")
    menu_item_add(actor=admin, role_code="service_agent", section="客户服务", kind="object_list", target="/objects/campaign/",
                  label="营销活动清单")

    def labels(who):
        login(client, world, who)
        return [str(i["label"]) for s in client.get("/").context["menu"] for i in s["items"]]

    assert "投诉处理" in labels("branch_manager") and "投诉处理" not in labels("broker")
    assert "营销活动清单" not in labels("service_agent")

    node = definition_node(ObjectType.objects.get(code="complaint"))
    node["permissions"] = {role: actions for role, actions in node["permissions"].items() if role != "branch_manager"}
    type_save(actor=admin, node=node)
    assert not d.allowed(ObjectType.objects.get(code="complaint").definition, "branch_manager", "read")
    assert "投诉处理" not in labels("branch_manager")
