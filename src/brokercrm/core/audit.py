"""Writing the audit log: services call these inside their transaction."""
import datetime as dt
from decimal import Decimal
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone

from brokercrm.core.bulk import insert_rows
from brokercrm.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (dt.date, dt.datetime, Decimal)):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):  # a stored file is audited by its name, not its content
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited values of a model instance, foreign keys by primary key."""
    names = fields or [f.attname for f in instance._meta.concrete_fields if f.name not in {"id", "created_at", "updated_at", "password"}]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def audit_record(*, actor, action: str, instance: models.Model | None = None, object_type: str = "",
                 object_id: str = "", object_repr: str = "", changes: dict | None = None, note: str = "") -> AuditEntry:
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", "") or "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=(object_repr or (str(instance) if instance is not None else ""))[:200],
        changes=changes or {},
        note=note,
    )


def audit_created_many(*, actor, instances: list[models.Model], note: str = "",
                       describe: Callable[[models.Model], str] = str) -> None:
    """One create entry per instance, written in bulk (imports of tens of thousands of rows): plain rows through
    insert_rows, no AuditEntry instances. `describe` labels an instance (str by default); an import passes one that
    reads no related row, so the entries cost no query each."""
    label = getattr(actor, "username", "") or "system"
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    insert_rows(AuditEntry, ["object_type", "object_id", "object_repr", "changes"], [
        (i._meta.label_lower, str(i.pk), describe(i)[:200], diff({}, snapshot(i))) for i in instances
    ], same={"at": timezone.now(), "actor": actor_id, "actor_label": label, "action": AuditEntry.Action.CREATE.value, "note": note})
