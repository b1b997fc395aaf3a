"""The type admin page's structured editors (no YAML): a field, the list, the form layout and each role's layout of the
pages, each saved as a new version through the same check as a YAML import and used by every page at the next request."""
import pytest

from brokercrm.core.models import AuditEntry
from brokercrm.objects.models import ObjectType
from brokercrm.objects.services import record_create, record_transition
from brokercrm.org.facade import menu_item_add

pytestmark = pytest.mark.django_db

COMPLAINT = {"f_customer": "1001", "f_channel": "phone", "f_summary": "营业部电话无人接听", "f_received_on": "2026-06-01",
             "f_severity": "normal"}


def login(client, world, who: str):
    client.force_login(world["users"][who])
    return client


def complaint() -> ObjectType:
    return ObjectType.objects.get(code="complaint")


def test_reply_deadline_added_on_the_page_is_in_the_form_list_detail_and_api_at_once(client, world):
    """Issue 17 acceptance: the admin adds 答复期限 (date) to 投诉; the broker's form, list, detail page and the API take it
    without a restart, and the change is version 2, audited."""
    admin = login(client, world, "admin")
    saved = admin.post("/objects/types/complaint/", {"action": "field", "key": "reply_deadline", "name_zh": "答复期限",
                                                     "name_en": "Reply deadline", "kind": "date"})
    assert saved.status_code == 302
    assert complaint().version == 2
    assert AuditEntry.objects.filter(object_type="objects.objecttype", action="update").count() == 1
    client.logout()
    broker = login(client, world, "broker")
    assert 'name="f_reply_deadline"' in broker.get("/objects/complaint/new/").content.decode()
    assert broker.post("/objects/complaint/new/", dict(COMPLAINT, f_reply_deadline="2026-06-10")).status_code == 302
    assert "2026-06-10" in broker.get("/objects/complaint/").content.decode()
    detail = broker.get("/objects/complaint/TS000001/").content.decode()
    assert 'data-key="reply_deadline">2026-06-10<' in detail
    body = {"values": {"customer": "1001", "channel": "counter", "summary": "x", "received_on": "2026-06-01",
                       "reply_deadline": "2026-06-12"}}
    created = broker.post("/api/objects/complaint", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["values"]["reply_deadline"] == "2026-06-12"
    bad = broker.post("/api/objects/complaint", dict(body, values=dict(body["values"], reply_deadline="12/06")),
                      content_type="application/json")
    assert bad.status_code == 422 and bad.json()["reasons"] == ["reply_deadline"]


def test_a_bad_validation_formula_names_its_column_and_changes_nothing(client, world):
    """A field whose formula does not compile is refused on the form with the formula error's line and column; the type
    stays at version 1."""
    admin = login(client, world, "admin")
    page = admin.post("/objects/types/complaint/", {"action": "field", "key": "refund", "name_zh": "退款", "kind": "decimal",
                                                    "validate": "refund >= ", "message": "退款不能为负"})
    assert page.status_code == 200
    assert "line 1, column 10" in page.content.decode()
    assert complaint().version == 1 and "refund" not in [f["key"] for f in complaint().definition["fields"]]


def test_list_columns_and_filters_are_chosen_and_ordered_on_the_page(client, world):
    """Positions 1–2 make summary and channel the list's columns in that order; ticking summary adds its filter."""
    admin = login(client, world, "admin")
    saved = admin.post("/objects/types/complaint/", {"action": "list", "col_summary": "1", "col_channel": "2", "filter_summary": "on"})
    assert saved.status_code == 302
    listing = complaint().definition["list"]
    assert (listing["columns"], listing["filters"]) == (["summary", "channel"], ["summary"])
    page = admin.get("/objects/complaint/").content.decode()
    assert '<th>投诉内容</th><th>投诉渠道</th><th>状态</th>' in page.replace("\n", "")
    assert admin.post("/objects/types/complaint/", {"action": "list"}).status_code == 200  # no column: refused
    assert complaint().version == 2


def test_the_form_layout_is_edited_sections_fields_and_read_only_by_state(client, world):
    """A new section 跟进 takes severity first then summary; the old 投诉内容 section is renamed; category goes to the last
    section; severity becomes read-only in the state 复核. The record form follows at once."""
    admin = login(client, world, "admin")
    saved = admin.post("/objects/types/complaint/", {
        "action": "layout", "sections": "2",
        "sec_0_key": "s1", "sec_0_title_zh": "投诉人", "sec_0_columns": "2", "sec_0_order": "1",
        "sec_1_key": "s2", "sec_1_title_zh": "投诉详情", "sec_1_columns": "1", "sec_1_order": "3",
        "sec_2_key": "follow", "sec_2_title_zh": "跟进", "sec_2_title_en": "Follow-up", "sec_2_columns": "3", "sec_2_order": "2",
        "place_customer": "s1", "place_channel": "s1", "place_received_on": "s1",
        "place_severity": "follow", "pos_severity": "1", "place_summary": "follow", "pos_summary": "2",
        "ro_reviewed_severity": "on", "ro_closed_all": "on"})
    assert saved.status_code == 302
    layout = complaint().definition["layout"]
    assert [(s["key"], s["title_zh"], s["fields"]) for s in layout["sections"]] == [
        ("s1", "投诉人", ["customer", "channel", "received_on"]), ("follow", "跟进", ["severity", "summary"]), ("s2", "投诉详情", [])]
    assert layout["readonly"] == {"reviewed": ["severity"], "closed": ["*"]}
    form = admin.get("/objects/complaint/new/").content.decode()
    assert form.index("跟进") < form.index('name="f_summary"') < form.index('name="f_category"')


def test_a_role_layout_orders_hides_and_collapses_detail_sections_and_picks_its_list_columns(client, world):
    """For brokers: 投诉内容 first and collapsed, 投诉人 hidden, list columns summary then received_on; the branch manager
    keeps the type's layout."""
    admin = login(client, world, "admin")
    page = admin.get("/objects/types/complaint/layouts/?role=broker").content.decode()
    assert 'data-section="s1"' in page and 'data-section="s2"' in page
    saved = admin.post("/objects/types/complaint/layouts/", {"role": "broker", "order_s2": "1", "collapsed_s2": "on",
                                                             "order_s1": "2", "hidden_s1": "on",
                                                             "col_summary": "1", "col_received_on": "2"})
    assert saved.status_code == 302
    definition = complaint().definition
    assert definition["layout"]["detail"] == {"broker": [{"section": "s2", "hidden": False, "collapsed": True},
                                                         {"section": "s1", "hidden": True, "collapsed": False}]}
    assert definition["list"]["by_role"] == {"broker": ["summary", "received_on"]}
    client.logout()
    broker = login(client, world, "broker")
    broker.post("/objects/complaint/new/", COMPLAINT)
    detail = broker.get("/objects/complaint/TS000001/").content.decode()
    assert '<details class="mb-2" data-section="s2">' in detail and 'data-section="s1"' not in detail
    assert '<th>投诉内容</th><th>受理日期</th><th>状态</th>' in broker.get("/objects/complaint/").content.decode().replace("\n", "")
    client.logout()
    manager = login(client, world, "branch_manager").get("/objects/complaint/TS000001/").content.decode()
    assert '<details class="mb-2" data-section="s1" open>' in manager


def _role_post(client, code: str, **extra) -> dict:
    """The role page's form as it is shown (name, scope, pages, unmasking), with `extra` changed."""
    context = client.get(f"/org/admin/roles/{code}/").context
    policy = context["policy"]
    return {"name": policy.name, "scope_kind": policy.scope_kind, "is_active": "1", "grants": "1",
            "pages": [p["url_name"] for p in context["pages"] if p["allowed"]], "unmask": sorted(policy.unmask_fields), **extra}


def test_the_role_page_edits_the_roles_actions_on_each_object_type(client, world):
    """On /org/admin/roles/broker/ the admin leaves brokers only read on 投诉 and takes 营销活动 from them: each type gets a
    new version (audited); at the next request a broker's complaint form answers 403, the campaign list 404, and a menu
    item pointing at it no longer shows."""
    admin = login(client, world, "admin")
    page = admin.get("/org/admin/roles/broker/").content.decode()
    assert 'data-testid="role-grants-objects"' in page and 'name="grant:objects:complaint" value="create"' in page
    saved = admin.post("/org/admin/roles/broker/", _role_post(admin, "broker", **{
        "grant:objects:complaint": ["read"]}))
    assert saved.status_code == 302
    types = {t.code: t for t in ObjectType.objects.all()}
    assert types["complaint"].definition["permissions"]["broker"] == ["read"]
    assert "broker" not in types["campaign"].definition["permissions"]
    assert (types["complaint"].version, types["campaign"].version) == (2, 2)
    assert AuditEntry.objects.filter(object_type="objects.objecttype", action="update").count() == 2
    client.logout()
    broker = login(client, world, "broker")
    assert broker.get("/objects/complaint/new/").status_code == 403
    assert broker.get("/objects/complaint/").status_code == 200
    assert broker.get("/objects/campaign/").status_code == 404
    menu_item_add(actor=world["users"]["admin"], role_code="broker", section="客户服务", kind="object_list",
                  target="/objects/campaign/", label="营销活动清单")
    assert "营销活动清单" not in [str(i["label"]) for s in broker.get("/").context["menu"] for i in s["items"]]


def test_the_last_admin_still_cannot_be_removed_and_a_refused_role_save_changes_no_grant(client, world):
    """Deactivating the admin role is refused with its field named; the object grants posted with it are not saved."""
    admin = login(client, world, "admin")
    form = _role_post(admin, "admin", **{"grant:objects:complaint": ["read"]})
    del form["is_active"]
    page = admin.post("/org/admin/roles/admin/", form, follow=True).content.decode()
    assert "is_active" in page
    assert ObjectType.objects.get(code="complaint").definition["permissions"]["admin"] == ["create", "read", "update", "delete",
                                                                                           "export"]
    assert ObjectType.objects.get(code="complaint").version == 1


def test_states_and_transitions_are_edited_in_rows_and_used_at_once(client, world):
    """The admin adds 已取消 (cancelled) to 营销活动 and the transition 进行中 → 已取消 for branch managers; the branch
    manager's running campaign offers it and takes it; a transition to an unknown state is refused, nothing saved."""
    admin = login(client, world, "admin")
    page = admin.get("/objects/types/campaign/").content.decode()
    assert 'name="st_3_code"' in page and 'name="tr_2_from"' in page
    states = {"action": "states", "state_rows": "3", "transition_rows": "2",
              "st_0_code": "planned", "st_0_zh": "计划中", "st_0_order": "1", "st_1_code": "running", "st_1_zh": "进行中", "st_1_order": "2",
              "st_2_code": "finished", "st_2_zh": "已结束", "st_2_order": "3", "st_3_code": "cancelled", "st_3_zh": "已取消",
              "st_3_en": "Cancelled", "st_3_order": "4",
              "tr_0_from": "planned", "tr_0_to": "running", "tr_0_roles": ["admin", "head_office", "branch_manager"],
              "tr_1_from": "running", "tr_1_to": "finished", "tr_1_roles": ["admin", "head_office", "branch_manager"],
              "tr_2_from": "running", "tr_2_to": "cancelled", "tr_2_roles": ["branch_manager"]}
    assert admin.post("/objects/types/campaign/", states).status_code == 302
    campaign = ObjectType.objects.get(code="campaign")
    assert [s["code"] for s in campaign.definition["states"]] == ["planned", "running", "finished", "cancelled"]
    assert campaign.definition["transitions"][2] == {"from": "running", "to": "cancelled", "roles": ["branch_manager"]}
    bad = admin.post("/objects/types/campaign/", dict(states, tr_2_to="void"), follow=True).content.decode()
    assert "transitions.to" in bad and ObjectType.objects.get(code="campaign").version == 2
    client.logout()
    manager = world["users"]["branch_manager"]
    record = record_create(actor=manager, object_type=campaign, raw={"name": "开门红", "starts_on": "2026-01-05", "ends_on": "2026-02-05"})
    record_transition(actor=manager, record=record, to="running")
    bm = login(client, world, "branch_manager")
    assert 'name="to" value="cancelled"' in bm.get(f"/objects/campaign/{record.number}/").content.decode()
    assert bm.post(f"/objects/campaign/{record.number}/state/", {"to": "cancelled"}).status_code == 302
    record.refresh_from_db()
    assert record.state == "cancelled"
