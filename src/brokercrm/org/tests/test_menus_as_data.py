"""Menus as data: per role, seeded from the shipped menu, edited in order, never showing an item the role may not open."""
import pytest
from django.urls import reverse

from brokercrm.core import navigation
from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.org import admin_services, menus_data
from brokercrm.org.models import MenuItem

pytestmark = pytest.mark.django_db


def _menu(client, user) -> list[tuple[str, list[str]]]:
    client.force_login(user)
    return [(s["title"], [str(i["label"]) for i in s["items"]]) for s in client.get(reverse("home")).context["menu"]]


def _labels(client, user) -> list[str]:
    return [label for _title, labels in _menu(client, user) for label in labels]


def test_without_rows_each_role_sees_the_shipped_menu_of_its_pages(client, org_world):
    """No menu rows: the admin sees the administration pages, a broker does not; the broker sees their own work."""
    admin_labels, broker_labels = _labels(client, org_world["users"]["admin"]), _labels(client, org_world["users"]["broker"])

    assert {"用户", "角色", "菜单编辑"} <= set(admin_labels)
    assert not {"用户", "角色", "菜单编辑"} & set(broker_labels) and "今日工作" in broker_labels


def test_an_item_added_for_branch_managers_shows_for_them_only_without_a_restart(client, org_world):
    """Acceptance: the admin adds 投诉处理 (a saved-report path here) to the branch managers' menu; branch managers see it
    at their next request, brokers and head office do not."""
    menus_data.menu_item_add(actor=org_world["users"]["admin"], role_code="branch_manager", section="客户服务",
                             kind="report", target="/reports/", label="投诉处理")

    assert ("客户服务", ["投诉处理"]) in _menu(client, org_world["users"]["branch_manager"])
    assert "投诉处理" not in _labels(client, org_world["users"]["broker"])
    assert "投诉处理" not in _labels(client, org_world["users"]["head_office"])


def test_an_object_list_item_is_stored_and_hidden_until_its_type_exists(client, org_world):
    """An item for /objects/reply_slip/ is accepted before the object type exists; until it does the item is not shown
    (a user never sees a link that would fail), while the editor lists it."""
    menus_data.menu_item_add(actor=org_world["users"]["admin"], role_code="branch_manager", section="客户服务",
                             kind="object_list", target="/objects/reply_slip/", label="回执")

    editor = menus_data.menu_editor_sections(role_code="branch_manager")
    line = next(i for s in editor for i in s["items"] if i.target == "/objects/reply_slip/")
    assert (line.label, line.visible) == ("回执", False)
    assert "回执" not in _labels(client, org_world["users"]["branch_manager"])


def test_moving_renaming_and_removing_items(client, org_world):
    """Down moves the customer list after the prospects, a rename shows the new label, a removal takes the item off."""
    admin, bm = org_world["users"]["admin"], org_world["users"]["branch_manager"]
    menus_data.menu_item_move(actor=admin, role_code="branch_manager", item_id=None, target="customers:list", direction="down")
    menus_data.menu_item_rename(actor=admin, role_code="branch_manager", item_id=None, target="customers:prospect_list", label="潜客")
    menus_data.menu_item_remove(actor=admin, role_code="branch_manager", item_id=None, target="relations:handover")

    menu = dict(_menu(client, bm))
    assert menu["客户"][:2] == ["潜客", "客户"]
    assert "离职人员交接" not in _labels(client, bm)
    assert AuditEntry.objects.filter(object_type="org.menuitem").count() == 3


def test_a_page_registered_after_the_menu_was_edited_still_appears_unless_removed(client, org_world):
    """The edited menu is stored; a page the code registers later appears for the roles that may open it."""
    admin, bm = org_world["users"]["admin"], org_world["users"]["branch_manager"]
    menus_data.menu_item_remove(actor=admin, role_code="branch_manager", item_id=None, target="relations:handover")
    stored = MenuItem.objects.filter(role_code="branch_manager").count()
    navigation.register("新页面", "org:staff_create", roles={"branch_manager"}, order=12)
    try:
        labels = _labels(client, bm)
    finally:
        navigation._entries[:] = [e for e in navigation._entries if e.url_name != "org:staff_create"]

    assert "新页面" in labels and "离职人员交接" not in labels
    assert MenuItem.objects.filter(role_code="branch_manager").count() == stored


def test_an_item_whose_page_the_role_lost_is_not_shown(client, org_world):
    """An admin adds the payroll rules page to the broker menu: brokers may not open it, so it stays hidden."""
    menus_data.menu_item_add(actor=org_world["users"]["admin"], role_code="broker", section="薪酬", kind="page",
                             target="compensation:rules", label="")

    assert "薪酬规则" not in _labels(client, org_world["users"]["broker"])


def test_bad_items_are_refused_naming_the_field(org_world):
    """An unknown page, an external link without http(s) and a label-less link are refused; nothing is stored."""
    admin = org_world["users"]["admin"]
    for kind, target, label, field in [("page", "nope:nope", "", "target"), ("link", "ftp://x", "x", "target"),
                                       ("link", "https://www.sse.com.cn/", "", "label"), ("page", "home", "", "section")]:
        with pytest.raises(DomainError) as exc:
            menus_data.menu_item_add(actor=admin, role_code="broker", section="" if field == "section" else "S", kind=kind,
                                     target=target, label=label)
        assert exc.value.field == field
    assert MenuItem.objects.count() == 0


def test_a_removed_role_page_also_leaves_an_edited_menu(client, org_world):
    """With a stored menu, taking the page from the role hides its item too (the page check decides at render)."""
    admin, bm = org_world["users"]["admin"], org_world["users"]["branch_manager"]
    menus_data.menu_item_rename(actor=admin, role_code="branch_manager", item_id=None, target="relations:list", label="经纪关系表")
    pages = {e.url_name for e in navigation.entries() if "branch_manager" in e.roles} - {"relations:list"}
    admin_services.role_save(actor=admin, code="branch_manager", name="营业部经理", scope_kind="branch", pages=pages,
                             unmask_fields=set())

    assert "经纪关系表" not in _labels(client, bm)


def test_the_menu_editor_page_adds_an_item(client, org_world):
    """The editor page posts to the service and shows the new item in its section."""
    client.force_login(org_world["users"]["admin"])
    response = client.post(reverse("org:menus"), {"role": "branch_manager", "action": "add", "section": "外部链接",
                                                  "kind": "link", "target": "https://www.sse.com.cn/", "label": "上交所"})
    assert response.status_code == 302

    page = client.get(reverse("org:menus") + "?role=branch_manager").content.decode()
    assert "上交所" in page and "外部链接" in page
