"""The demo fills the administration pages: a role created from a shipped one with a user, 投诉处理 in the branch
managers' menu, brokers' menu and layouts arranged; run again, it changes nothing."""
import pytest

from brokercrm.customers.facade import layout_entries
from brokercrm.org.facade import User, menu_editor_sections, role_policies
from brokercrm.site.demo import _demo_administration

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_roles_menus_and_layouts_once(org_world):
    """After the demo step the role, its user, the menu items and the layouts exist; a second run adds nothing."""
    done = _demo_administration()

    assert len(done) == 4
    assert role_policies()["branch_assistant"].unmask_fields == frozenset({"mobile"})
    assert User.objects.get(username="assistant").role_definition.code == "branch_assistant"
    labels = {line.label for s in menu_editor_sections(role_code="branch_manager") for line in s["items"]}
    assert {"投诉处理", "上交所信息披露"} <= labels
    assert [e.key for e in layout_entries(role_code="broker", page="customer_list") if e.hidden] == ["id_no"]
    assert _demo_administration() == []
