"""Writes of the platform: custom field definitions and the values objects carry (audited)."""
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role
from brokercrm.platform import custom_fields
from brokercrm.platform.access import access
from brokercrm.platform.models import CustomFieldDefinition

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FieldType = CustomFieldDefinition.FieldType
CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTI_CHOICE)
AUDITED = ["entity", "key", "label", "field_type", "choices", "required", "default", "help_text", "order", "active"]


def _require_admin(actor) -> None:
    if not has_role(actor, access().admins):
        raise PermissionDenied(_("only a system admin may change custom fields"))


def _clean_choices(field_type: str, choices: list[str] | str | None) -> list[str]:
    if isinstance(choices, str):
        choices = [c for c in re.split(r"[;\n]", choices)]
    items = []
    for c in choices or []:
        c = str(c).strip()
        if c and c not in items:
            items.append(c)
    if field_type in CHOICE_TYPES and not items:
        raise DomainError(_("a choice field needs at least one option"), field="choices")
    if field_type not in CHOICE_TYPES and items:
        raise DomainError(_("only choice fields have options"), field="choices")
    return items


def _clean_default(definition: CustomFieldDefinition, default: Any) -> Any:
    try:
        return custom_fields.parse_value(definition, default)
    except DomainError as exc:
        raise DomainError(exc.message, field="default") from None


@transaction.atomic
def custom_field_create(*, actor, entity: str, key: str, label: str, field_type: str, choices: list[str] | str | None = None,
                        required: bool = False, default: Any = None, help_text: str = "", order: int | None = None) -> CustomFieldDefinition:
    """Add a field to customers, prospects or staff: no code, no migration (values go into the object's JSON)."""
    _require_admin(actor)
    key = (key or "").strip()
    if entity not in CustomFieldDefinition.Entity.values:
        raise DomainError(_("unknown object %(e)s") % {"e": entity}, field="entity")
    if not KEY.match(key):
        raise DomainError(_("use lower-case letters, digits and _ (starting with a letter), at most 40"), field="key")
    if field_type not in FieldType.values:
        raise DomainError(_("unknown type %(t)s") % {"t": field_type}, field="field_type")
    if not (label or "").strip():
        raise DomainError(_("is required"), field="label")
    if CustomFieldDefinition.objects.filter(entity=entity, key=key).exists():
        raise DomainError(_("this object already has a field with key %(k)s") % {"k": key}, field="key")
    if order is None:
        order = (CustomFieldDefinition.objects.filter(entity=entity).aggregate(m=models.Max("order"))["m"] or 0) + 10
    definition = CustomFieldDefinition(entity=entity, key=key, label=label.strip(), field_type=field_type,
                                       choices=_clean_choices(field_type, choices), required=required,
                                       help_text=help_text or "", order=order)
    definition.default = _clean_default(definition, default)
    definition.full_clean()
    definition.save()
    audit_record(actor=actor, action="create", instance=definition, changes=diff({}, snapshot(definition, AUDITED)))
    return definition


@transaction.atomic
def custom_field_update(*, actor, definition: CustomFieldDefinition, label: str | None = None, choices: list[str] | str | None = None,
                        required: bool | None = None, default: Any = ..., help_text: str | None = None, order: int | None = None,
                        active: bool | None = None) -> CustomFieldDefinition:
    """Change how a field is labelled, offered and checked; key, object and type are fixed so stored values keep their meaning.

    Removing an option never rewrites the values that hold it: they stay stored and are shown as retired.
    """
    _require_admin(actor)
    before = snapshot(definition, AUDITED)
    if label is not None:
        if not label.strip():
            raise DomainError(_("is required"), field="label")
        definition.label = label.strip()
    if choices is not None:
        definition.choices = _clean_choices(definition.field_type, choices)
    if required is not None:
        definition.required = required
    if help_text is not None:
        definition.help_text = help_text
    if order is not None:
        definition.order = order
    if active is not None:
        definition.active = active
    if default is not ...:
        definition.default = _clean_default(definition, default)
    elif definition.default is not None and definition.field_type in CHOICE_TYPES:
        definition.default = _clean_default(definition, definition.default)
    definition.full_clean()
    definition.save()
    changes = diff(before, snapshot(definition, AUDITED))
    if changes:
        audit_record(actor=actor, action="update", instance=definition, changes=changes)
    return definition


@transaction.atomic
def custom_values_set(*, actor, instance: models.Model, entity: str, values: dict[str, Any], partial: bool = True) -> models.Model:
    """Validate and store custom field values on any object with a `custom_fields` JSON column; audited old → new."""
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    new = custom_fields.clean_values(entity, values, stored=locked.custom_fields, partial=partial)
    old = dict(locked.custom_fields or {})
    if new != old:
        type(instance).objects.filter(pk=instance.pk).update(custom_fields=new)
        audit_record(actor=actor, action="update", instance=locked,
                     changes={f"custom_fields.{k}": v for k, v in diff(old, new).items()})
    instance.custom_fields = new
    return instance
