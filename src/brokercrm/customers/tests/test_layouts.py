"""Page layouts per role: the 360° page's panels in the role's order, collapsed or open, hidden ones not rendered; the
customer list's columns per role; only admins arrange them; each change audited."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.customers import layouts, panels
from brokercrm.customers.tests.factories import CustomerFactory, relate

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org_world):
    customer = CustomerFactory(customer_no="10000001", branch=org_world["branches"][0])
    relate(customer, org_world["staff"]["broker"])
    return customer


def _panels(client, user) -> list[tuple[str, bool]]:
    client.force_login(user)
    return [(p["key"], p["collapsed"]) for p in client.get(reverse("customers:detail", args=["10000001"])).context["panels"]]


def test_panels_follow_the_roles_layout_and_a_hidden_one_is_not_rendered(client, org_world, customer):
    """The admin puts products first and collapsed and hides the relation history for brokers: brokers get that order
    and no relation-history panel in the page; branch managers keep the shipped layout."""
    keys = [key for key, _title, _order in panels.panel_keys()]
    assert {"products", "relations"} <= set(keys)
    entries = [{"key": "products", "collapsed": True}, {"key": "relations", "hidden": True}] + \
              [{"key": k} for k in keys if k not in ("products", "relations")]
    layouts.page_layout_save(actor=org_world["users"]["admin"], role_code="broker", page="customer_360", entries=entries)

    broker_panels = _panels(client, org_world["users"]["broker"])
    assert broker_panels[0] == ("products", True)
    assert "relations" not in [k for k, _c in broker_panels]
    assert 'data-panel="relations"' not in client.get(reverse("customers:detail", args=["10000001"])).content.decode()
    assert [k for k, _c in _panels(client, org_world["users"]["branch_manager"])] == keys


def test_a_collapsed_panel_is_a_closed_details_element(client, org_world, customer):
    """Collapsed renders <details> without open (no script needed, strict CSP); an open panel has the open attribute."""
    keys = [key for key, _title, _order in panels.panel_keys()]
    layouts.page_layout_save(actor=org_world["users"]["admin"], role_code="broker", page="customer_360",
                             entries=[{"key": k, "collapsed": k == "products"} for k in keys])
    client.force_login(org_world["users"]["broker"])

    html = client.get(reverse("customers:detail", args=["10000001"])).content.decode()

    assert '<details class="card h-100" data-panel="products">' in html
    assert '<details class="card h-100" data-panel="relations" open>' in html


def test_list_columns_per_role(client, org_world, customer):
    """Brokers' customer list shows name and end assets only, in that order; head office keeps every column."""
    layouts.page_layout_save(actor=org_world["users"]["admin"], role_code="broker", page="customer_list",
                             entries=[{"key": "end_assets"}, {"key": "name"}] +
                                     [{"key": k, "hidden": True} for k in layouts.LIST_COLUMNS if k not in ("name", "end_assets")])
    client.force_login(org_world["users"]["broker"])
    response = client.get(reverse("customers:list"))

    assert response.context["columns"] == ["end_assets", "name"]
    assert 'data-column="mobile"' not in response.content.decode()
    client.force_login(org_world["users"]["head_office"])
    assert client.get(reverse("customers:list")).context["columns"] == list(layouts.LIST_COLUMNS)


def test_the_layout_page_saves_the_order_and_audits(client, org_world, customer):
    """The admin's form: order numbers and checkboxes become the stored layout; the change is audited."""
    client.force_login(org_world["users"]["admin"])
    keys = [key for key, _title, _order in panels.panel_keys()]
    data = {"role": "branch_manager", "page": "customer_360", "key": keys, f"order-{keys[-1]}": "0", f"collapsed-{keys[0]}": "1"}
    data.update({f"order-{k}": str(i + 1) for i, k in enumerate(keys[:-1])})

    assert client.post(reverse("customers:layouts"), data).status_code == 302

    entries = layouts.layout_entries(role_code="branch_manager", page="customer_360")
    assert [e.key for e in entries] == [keys[-1]] + keys[:-1]
    assert [e.key for e in entries if e.collapsed] == [keys[0]]
    assert AuditEntry.objects.filter(object_type="customers.pagelayout", actor_label="admin").count() == 1


def test_only_admins_arrange_and_unknown_panels_are_refused(org_world):
    """Head office may not save a layout; an unknown panel key is refused naming the field."""
    with pytest.raises(PermissionDenied):
        layouts.page_layout_save(actor=org_world["users"]["head_office"], role_code="broker", page="customer_360", entries=[])
    with pytest.raises(DomainError) as exc:
        layouts.page_layout_save(actor=org_world["users"]["admin"], role_code="broker", page="customer_360",
                                 entries=[{"key": "horoscope"}])
    assert exc.value.field == "entries"
