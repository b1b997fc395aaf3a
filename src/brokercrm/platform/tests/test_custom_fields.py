import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.platform import custom_fields
from brokercrm.platform.models import CustomFieldDefinition
from brokercrm.platform.services import custom_field_create, custom_field_update, custom_values_set

pytestmark = pytest.mark.django_db


def field(**kwargs) -> CustomFieldDefinition:
    return CustomFieldDefinition(entity="customer", key="k", label="K", **kwargs)


@pytest.mark.parametrize("field_type,choices,raw,stored", [
    ("text", [], "  围棋 ", "围棋"),
    ("number", [], "12", 12),
    ("number", [], 7, 7),
    ("decimal", [], "1234.50", "1234.50"),
    ("date", [], "2026-03-02", "2026-03-02"),
    ("choice", ["A", "B"], "B", "B"),
    ("multi_choice", ["A", "B", "C"], "C; A", ["A", "C"]),
    ("multi_choice", ["A", "B", "C"], ["B"], ["B"]),
    ("text", [], "", None),
])
def test_values_are_parsed_into_their_stored_form(field_type, choices, raw, stored):
    """Each type's raw value (form, CSV or JSON) becomes one canonical stored form; decimals stay exact strings."""
    assert custom_fields.parse_value(field(field_type=field_type, choices=choices), raw) == stored


@pytest.mark.parametrize("field_type,choices,raw,message", [
    ("number", [], "1.5", "'1.5' is not a whole number"),
    ("decimal", [], "abc", "'abc' is not a decimal number"),
    ("decimal", [], 1.5, "give the number as text or an integer, not a binary float"),
    ("date", [], "2026-02-30", "'2026-02-30' is not a date (YYYY-MM-DD)"),
    ("choice", ["A", "B"], "C", "'C' is not one of: A, B"),
    ("multi_choice", ["A"], "A;Z", "'Z' is not one of: A"),
])
def test_invalid_values_are_refused_naming_the_field(field_type, choices, raw, message):
    """A bad value raises a DomainError naming the field's key with a message fit to show."""
    with pytest.raises(DomainError) as exc:
        custom_fields.parse_value(field(field_type=field_type, choices=choices), raw)
    assert (exc.value.field, exc.value.message) == ("k", message)


def test_lifecycle_add_fill_filter_retire_archive_without_corrupting_values(org_world):
    """An admin adds a choice field, values are stored and filtered; removing an option and archiving keep every value."""
    from brokercrm.customers.selectors import CustomerFilters, customer_search
    from brokercrm.customers.tests.factories import CustomerFactory

    admin = org_world["users"]["admin"]
    d = custom_field_create(actor=admin, entity="customer", key="segment_hint", label="客户来源", field_type="choice",
                            choices=["展会", "转介绍", "网络"], default="网络", help_text="how we met")
    a, b = CustomerFactory(customer_no="1"), CustomerFactory(customer_no="2")
    custom_values_set(actor=admin, instance=a, entity="customer", values={"segment_hint": "展会"})
    custom_values_set(actor=admin, instance=b, entity="customer", values={"segment_hint": "转介绍"})
    find = lambda value: set(customer_search(user=admin, filters=CustomerFilters(custom={"cf_segment_hint": value}))  # noqa: E731
                             .values_list("customer_no", flat=True))
    assert find("展会") == {"1"} and find("转介绍") == {"2"}

    custom_field_update(actor=admin, definition=d, choices=["转介绍", "网络"])
    a.refresh_from_db()
    assert a.custom_fields == {"segment_hint": "展会"}
    rows = custom_fields.display_rows(entity="customer", values=a.custom_fields)
    assert [(r.label, r.value, r.retired) for r in rows] == [("客户来源", "展会", True)]
    # Saving the object again with its retired value unchanged keeps it; choosing it anew is refused.
    custom_values_set(actor=admin, instance=a, entity="customer", values={"segment_hint": "展会"})
    with pytest.raises(InputRejected):
        custom_values_set(actor=admin, instance=b, entity="customer", values={"segment_hint": "展会"})

    custom_field_update(actor=admin, definition=d, active=False)
    assert custom_fields.definitions("customer") == []
    a.refresh_from_db()
    assert a.custom_fields == {"segment_hint": "展会"}
    custom_field_update(actor=admin, definition=d, active=True)
    assert find("展会") == {"1"}
    assert AuditEntry.objects.filter(object_type="platform.customfielddefinition").count() == 4


def test_required_default_and_order_apply_to_new_values(org_world):
    """A required field must be given; a default fills new objects; fields are listed by order."""
    admin = org_world["users"]["admin"]
    custom_field_create(actor=admin, entity="prospect", key="grade", label="等级", field_type="choice", choices=["A", "B"],
                        default="B", order=20)
    custom_field_create(actor=admin, entity="prospect", key="met_on", label="首次接触", field_type="date", required=True, order=10)
    assert [d.key for d in custom_fields.definitions("prospect")] == ["met_on", "grade"]
    with pytest.raises(InputRejected) as exc:
        custom_fields.clean_values("prospect", {}, creating=True)
    assert [(p.field, p.message) for p in exc.value.problems] == [("met_on", "is required")]
    assert custom_fields.clean_values("prospect", {"met_on": dt.date(2026, 3, 2)}, creating=True) == {"met_on": "2026-03-02", "grade": "B"}


def test_definition_rules(org_world):
    """Keys are validated and unique per object; choice fields need options; a bad default is refused; only admins change fields."""
    admin, broker = org_world["users"]["admin"], org_world["users"]["broker"]
    custom_field_create(actor=admin, entity="staff", key="certificate_no", label="从业资格证号", field_type="text")
    cases = [
        (dict(key="Bad Key", field_type="text"), "key"),
        (dict(key="certificate_no", field_type="text"), "key"),
        (dict(key="pick", field_type="choice"), "choices"),
        (dict(key="n", field_type="number", default="x"), "default"),
    ]
    for kwargs, field_name in cases:
        with pytest.raises(DomainError) as exc:
            custom_field_create(actor=admin, entity="staff", label="L", **kwargs)
        assert exc.value.field == field_name
    with pytest.raises(PermissionDenied):
        custom_field_create(actor=broker, entity="staff", key="x", label="X", field_type="text")


def test_staff_values_use_the_same_include(org_world):
    """Staff carry custom values too: stored through the generic service and rendered by platform/_custom_fields.html."""
    from django.template.loader import render_to_string

    admin, staff = org_world["users"]["admin"], org_world["staff"]["broker"]
    custom_field_create(actor=admin, entity="staff", key="certificate_no", label="从业资格证号", field_type="text")
    custom_values_set(actor=admin, instance=staff, entity="staff", values={"certificate_no": "S1234567"})
    staff.refresh_from_db()
    html = render_to_string("platform/_custom_fields.html", {"rows": custom_fields.display_rows(entity="staff", values=staff.custom_fields)})
    assert "从业资格证号" in html and "S1234567" in html


def test_admin_pages_and_api(client, org_world):
    """The admin adds a field on the page, sees it listed and via the API; a broker gets 403 on both."""
    client.force_login(org_world["users"]["admin"])
    response = client.post("/platform/custom-fields/new/", {"entity": "customer", "key": "hobby", "label": "爱好", "field_type": "multi_choice",
                                                             "choices": "围棋\n钓鱼", "order": "5"})
    assert response.status_code == 302
    assert "爱好" in client.get("/platform/custom-fields/").content.decode()
    listed = client.get("/api/custom-fields", {"entity": "customer"}).json()
    assert [(d["key"], d["choices"], d["order"]) for d in listed] == [("hobby", ["围棋", "钓鱼"], 5)]
    created = client.post("/api/custom-fields", {"entity": "prospect", "key": "budget", "label": "预算", "field_type": "decimal"},
                          content_type="application/json")
    assert created.status_code == 201
    patched = client.patch(f"/api/custom-fields/{created.json()['id']}", {"label": "预算金额", "required": True}, content_type="application/json")
    assert (patched.json()["label"], patched.json()["required"], patched.json()["field_type"]) == ("预算金额", True, "decimal")
    client.logout()
    client.force_login(org_world["users"]["broker"])
    assert client.get("/platform/custom-fields/").status_code == 403
    assert client.post("/api/custom-fields", {"entity": "customer", "key": "x", "label": "X", "field_type": "text"},
                       content_type="application/json").status_code == 403
