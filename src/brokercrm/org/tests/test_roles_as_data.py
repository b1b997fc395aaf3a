"""Roles as data: a role's pages decide its menu and its 403s, its scope kind its data scope, its unmask permissions
what personal data it shows; new roles based on shipped ones; every change audited and seen without a restart."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from brokercrm.core import navigation

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.org import admin_services, services
from brokercrm.org.models import RoleDefinition, User
from brokercrm.org.policy import role_policies, user_may_unmask
from brokercrm.org.scope import scope_for

pytestmark = pytest.mark.django_db


def _menu_urls(client) -> list[str]:
    return [item["url_name"] for section in client.get(reverse("home")).context["menu"] for item in section["items"]]


def _pages_of(code: str) -> set[str]:
    policy = role_policies()[code]
    return {e.url_name for e in navigation.entries() if policy.base_role in e.roles} - policy.pages_denied | policy.pages_granted


def test_a_role_edited_to_lose_a_page_loses_its_menu_item_and_gets_403(client, org_world):
    """Given branch managers see the prospect list, when an admin takes that page from the role, then the menu item goes
    and opening the page answers 403 — at the next request, without a restart; other roles keep it."""
    admin, bm = org_world["users"]["admin"], org_world["users"]["branch_manager"]
    client.force_login(bm)
    assert "customers:prospect_list" in _menu_urls(client)

    admin_services.role_save(actor=admin, code="branch_manager", name="营业部经理", scope_kind="branch",
                             pages=_pages_of("branch_manager") - {"customers:prospect_list"}, unmask_fields={"mobile"})

    assert "customers:prospect_list" not in _menu_urls(client)
    assert client.get(reverse("customers:prospect_list")).status_code == 403
    client.force_login(org_world["users"]["broker"])
    assert client.get(reverse("customers:prospect_list")).status_code == 200


def test_the_role_change_is_audited_with_before_and_after(org_world):
    """The first edit of a shipped role is audited against the shipped defaults."""
    admin_services.role_save(actor=org_world["users"]["admin"], code="compliance", name="合规", scope_kind="company",
                             pages=_pages_of("compliance"), unmask_fields={"mobile"})

    entry = AuditEntry.objects.get(object_type="org.roledefinition")
    assert (entry.action, entry.actor_label, entry.changes["unmask_fields"]) == ("update", "admin", [[], ["mobile"]])


def test_unmask_permissions_decide_per_field(org_world):
    """A broker may unmask every personal field by default; edited to the mobile only, the ID number is refused."""
    admin, broker = org_world["users"]["admin"], org_world["users"]["broker"]
    assert user_may_unmask(broker, "id_no") and user_may_unmask(broker, "mobile")

    admin_services.role_save(actor=admin, code="broker", name="客户经理", scope_kind="team", pages=_pages_of("broker"),
                             unmask_fields={"mobile"})
    broker = User.objects.get(pk=broker.pk)  # the next request's user

    assert (user_may_unmask(broker, "mobile"), user_may_unmask(broker, "id_no")) == (True, False)


def test_the_unmask_service_refuses_a_field_the_role_may_not_show(client, org_world):
    """Compliance may unmask nothing by default: the unmask page answers 403 and audits nothing."""
    customer = CustomerFactory(customer_no="10000001", branch=org_world["branches"][0])
    relate(customer, org_world["staff"]["broker"])
    client.force_login(org_world["users"]["compliance"])

    response = client.post(reverse("customers:unmask", args=["10000001", "mobile"]))

    assert (response.status_code, AuditEntry.objects.filter(action="unmask").count()) == (403, 0)


def test_scope_kind_decides_the_data_scope(org_world):
    """The team leader sees their team (scope kind team); with the broker role set to self, only themselves."""
    admin, leader = org_world["users"]["admin"], org_world["users"]["team_leader"]
    assert len(scope_for(leader).staff_ids) == 3

    admin_services.role_save(actor=admin, code="broker", name="客户经理", scope_kind="self", pages=_pages_of("broker"),
                             unmask_fields=set())
    leader = User.objects.get(pk=leader.pk)  # the next request's user

    assert scope_for(leader).staff_ids == frozenset({org_world["staff"]["leader"].id})


def test_a_new_role_based_on_a_shipped_one_starts_as_its_copy(client, org_world):
    """An admin creates 投诉专员 based on the broker role; a user given it keeps the broker's actions and menu."""
    admin = org_world["users"]["admin"]
    role = admin_services.role_create_from(actor=admin, code="complaints", name="投诉专员", based_on="broker")
    user = services.user_create(actor=admin, username="c1", role="complaints", staff_no="S0004")
    client.force_login(user)

    assert (role.base_role, role.scope_kind, user.role, user.role_definition.code) == ("broker", "team", "broker", "complaints")
    assert "relations:apply_add" in _menu_urls(client)
    assert AuditEntry.objects.filter(object_type="org.roledefinition", action="create").count() == 1


def test_a_custom_role_edited_to_lose_a_page_differs_from_its_base(client, org_world):
    """Taking a page from a custom role leaves the shipped role it is based on untouched."""
    admin = org_world["users"]["admin"]
    admin_services.role_create_from(actor=admin, code="complaints", name="投诉专员", based_on="broker")
    user = services.user_create(actor=admin, username="c1", role="complaints", staff_no="S0004")
    admin_services.role_save(actor=admin, code="complaints", name="投诉专员", scope_kind="team",
                             pages=_pages_of("complaints") - {"relations:list"}, unmask_fields=set())

    client.force_login(user)
    assert client.get(reverse("relations:list")).status_code == 403
    client.force_login(org_world["users"]["broker"])
    assert client.get(reverse("relations:list")).status_code == 200


def test_only_admins_change_roles(org_world):
    """A head-office manager may not edit a role (the check is in the service, shared by pages and CLI)."""
    with pytest.raises(PermissionDenied):
        admin_services.role_save(actor=org_world["users"]["head_office"], code="broker", name="x", scope_kind="self",
                                 pages=set(), unmask_fields=set())


def test_a_bad_role_edit_names_the_field_and_changes_nothing(org_world):
    """An unknown scope kind is refused naming the field; no row is stored."""
    with pytest.raises(DomainError) as exc:
        admin_services.role_save(actor=org_world["users"]["admin"], code="broker", name="x", scope_kind="galaxy",
                                 pages=set(), unmask_fields=set())
    assert (exc.value.field, RoleDefinition.objects.count()) == ("scope_kind", 0)


def test_the_admin_role_keeps_the_administration_pages(org_world):
    """Even an admin role saved with no pages keeps users and roles, so no edit locks the administration out."""
    admin_services.role_save(actor=org_world["users"]["admin"], code="admin", name="系统管理员", scope_kind="company",
                             pages=set(), unmask_fields=set())

    assert set(RoleDefinition.objects.get(code="admin").pages_denied).isdisjoint({"org:users", "org:roles"})
