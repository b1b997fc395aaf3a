"""Writes of the business objects: definitions (versioned, YAML in and out) and records (created, changed, moved
between states, imported all or nothing, escalated when overdue). Each in a transaction, each audited; role checks here.
"""
import datetime as dt
import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from brokercrm.core import yamlio
from brokercrm.core.audit import audit_record, diff
from brokercrm.core.csvfiles import read_records
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.permissions import has_role, require_role
from brokercrm.customers.facade import customer_in_scope, customer_refs_by_no
from brokercrm.datacenter.facade import add_trading_days
from brokercrm.objects import definition as d
from brokercrm.objects import values as v
from brokercrm.objects.models import ObjectRecord, ObjectType, ObjectTypeVersion
from brokercrm.org.facade import ALL_ROLES, OBJECT_ADMINS, Branch, Staff, config_changed
from brokercrm.platform.facade import pending_task_id, process_apply, processes_withdraw, task_escalate
from brokercrm.products.facade import product_names_by_code
from brokercrm.relations.facade import responsible_staff_on

RECORD = "objects.objectrecord"


def role_codes() -> set[str]:
    return set(ALL_ROLES)


# Definitions ---------------------------------------------------------------------------------------------------------

def _with_removed(old: dict, new: dict) -> dict:
    """A field left out of a new definition is kept as removed, so its stored values keep their name (已删除字段)."""
    keys = {f["key"] for f in new["fields"]}
    kept = [dict(f, removed=True) for f in old.get("fields", []) if f["key"] not in keys]
    return dict(new, fields=new["fields"] + kept)


@transaction.atomic
def type_save(*, actor, node: dict, file: str = "definition", note: str = "") -> tuple[ObjectType, bool]:
    """Store a checked definition as the next version of its type (a new type at version 1); (type, False) when unchanged."""
    require_role(actor, OBJECT_ADMINS)
    codes = set(ObjectType.objects.values_list("code", flat=True)) | {str(node.get("code") or "")}
    definition = d.check(node, file=file, roles=role_codes(), type_codes=codes)
    current = ObjectType.objects.select_for_update().filter(code=definition["code"]).first()
    if current is None:
        current = ObjectType.objects.create(code=definition["code"], name_zh=definition["name_zh"], name_en=definition["name_en"],
                                            version=1, definition=definition)
        before = {}
    else:
        old_kinds = {f["key"]: f["kind"] for f in current.definition.get("fields", [])}
        changed = [f["key"] for f in definition["fields"] if old_kinds.get(f["key"], f["kind"]) != f["kind"]]
        if changed:  # a stored value keeps its meaning: a field's kind never changes (add a field with a new key instead)
            raise InputRejected([Problem(_("the kind of a field never changes (it was %(k)s)") % {"k": old_kinds[key]}, file=file,
                                         line=yamlio.line_of(next((f for f in node.get("fields", []) if f.get("key") == key), node)),
                                         column=f"fields.{key}.kind") for key in changed])
        definition = _with_removed(current.definition, definition)
        if definition == current.definition:
            return current, False
        before = {"version": current.version, "definition": current.definition}
        current.version += 1
        current.name_zh, current.name_en, current.definition = definition["name_zh"], definition["name_en"], definition
        current.save()
    ObjectTypeVersion.objects.create(object_type=current, version=current.version, definition=definition,
                                     saved_by=actor if getattr(actor, "pk", None) else None, note=note[:200])
    audit_record(actor=actor, action="update" if before else "create", instance=current,
                 changes=diff(before, {"version": current.version, "definition": definition}), note=note)
    config_changed()  # the menus show an object list only to the roles that may read the type
    return current, True


def types_import(*, actor, data: bytes | str, file: str) -> list[tuple[str, int, bool]]:
    """Every type of a YAML file, all or nothing: (code, version, changed) per type."""
    doc = yamlio.load(data, file=file, expected_format=d.FORMAT)
    c = yamlio.Collector(file)
    nodes = c.items(doc, "types")
    c.raise_if_any()
    problems: list[Problem] = []
    out = []
    with transaction.atomic():
        for node in nodes:
            try:
                with transaction.atomic():
                    object_type, changed = type_save(actor=actor, node=node, file=file, note=f"import {file}")
                out.append((object_type.code, object_type.version, changed))
            except InputRejected as exc:
                problems += exc.problems
        if problems:
            transaction.set_rollback(True)
            raise InputRejected(problems)
    return out


def types_export(*, codes: list[str] | None = None) -> str:
    qs = ObjectType.objects.order_by("code")
    if codes:
        qs = qs.filter(code__in=codes)
    return yamlio.dump({"format": d.FORMAT, "types": [dict(d.export_form(t.definition), version=t.version) for t in qs]})


def definition_node(object_type: ObjectType) -> dict:
    """The stored definition as a fresh node to change and check again (removed fields stay as they are)."""
    return {k: (list(val) if isinstance(val, list) else val) for k, val in object_type.definition.items()}


def field_save(*, actor, object_type: ObjectType, field: dict, add_to_list: bool = True) -> ObjectType:
    """Add a field to a type (or change the one with the same key); a removed field added again comes back with its values."""
    node = definition_node(object_type)
    others = [f for f in node["fields"] if f["key"] != field["key"]]
    node["fields"] = others + [field] if not any(f["key"] == field["key"] for f in node["fields"]) else \
        [field if f["key"] == field["key"] else f for f in node["fields"]]
    if add_to_list and field["key"] not in node["list"]["columns"]:
        node["list"] = dict(node["list"], columns=node["list"]["columns"] + [field["key"]])
    return type_save(actor=actor, node=node, note=_("field %(k)s saved") % {"k": field["key"]})[0]


def field_remove(*, actor, object_type: ObjectType, key: str) -> ObjectType:
    """Remove a field from the forms and lists; its stored values are kept and shown as a removed field."""
    node = definition_node(object_type)
    node["fields"] = [dict(f, removed=True) if f["key"] == key else f for f in node["fields"]]
    node["list"] = {name: ({r: [k for k in ks if k != key] for r, ks in keys.items()} if name == "by_role" else [k for k in keys if k != key])
                    for name, keys in node["list"].items()}
    layout = node.get("layout") or {}
    node["layout"] = dict(layout, sections=[dict(s, fields=[k for k in s["fields"] if k != key]) for s in layout.get("sections", [])])
    if node.get("owner", {}).get("field") == key:
        raise DomainError(_("the owner rule uses this field"), field="key")
    return type_save(actor=actor, node=node, note=_("field %(k)s removed") % {"k": key})[0]


def states_save(*, actor, object_type: ObjectType, states: list[dict], transitions: list[dict]) -> ObjectType:
    """States in order and the allowed transitions; a removed state's read-only fields go with it (its records keep it)."""
    node = definition_node(object_type)
    node["states"], node["transitions"] = states, transitions
    codes = {st["code"] for st in states}
    layout = node.get("layout") or {}
    node["layout"] = dict(layout, readonly={k: keys for k, keys in layout.get("readonly", {}).items() if k in codes})
    return type_save(actor=actor, node=node, note=_("states saved"))[0]


# Records -------------------------------------------------------------------------------------------------------------

def may(actor, object_type: ObjectType, action: str) -> bool:
    """Whether the actor's role may do `action` on records of the type (the system and superusers may)."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return d.allowed(object_type.definition, actor.role, action)


def require(actor, object_type: ObjectType, action: str) -> None:
    if not may(actor, object_type, action):
        raise PermissionDenied


def _resolver(actor, object_type: ObjectType):
    """Check one reference: a customer must be in the actor's scope (404 otherwise, so existence does not leak)."""
    def resolve(field: dict, code: Any) -> str | None:
        codes = code if isinstance(code, list) else [code]
        kind = field["kind"]
        if kind == "customer":
            found = customer_refs_by_no(customer_nos=codes)
            for c in codes:
                if c not in found or not customer_in_scope(user=actor, customer_id=found[c].id):
                    raise Http404(f"customer {c}")
            return None
        if kind == "staff":
            known = set(Staff.objects.filter(staff_no__in=codes).values_list("staff_no", flat=True))
        elif kind == "branch":
            known = set(Branch.objects.filter(code__in=codes).values_list("code", flat=True))
        elif kind == "product":
            known = set(product_names_by_code(codes))
        else:
            known = set(ObjectRecord.objects.filter(object_type__code=field["target"], number__in=codes).values_list("number", flat=True))
        missing = [c for c in codes if c not in known]
        return _("unknown %(kind)s '%(code)s'") % {"kind": kind, "code": ", ".join(missing)} if missing else None
    return resolve


def _check_unique(object_type: ObjectType, values: dict, *, exclude_id: int | None = None) -> None:
    problems = []
    for field in d.fields(object_type.definition):
        key = field["key"]
        if field["unique"] and values.get(key) is not None:
            qs = ObjectRecord.objects.filter(object_type=object_type, **{f"values__{key}": values[key]})
            if exclude_id:
                qs = qs.exclude(pk=exclude_id)
            if qs.exists():
                problems.append(Problem(_("'%(v)s' is already used by another record") % {"v": values[key]}, field=key))
    if problems:
        raise InputRejected(problems)


def _owner(actor, object_type: ObjectType, values: dict, today: dt.date) -> tuple[int | None, int | None, int | None]:
    """(customer id, owner staff id, branch id) by the type's owner rule."""
    owner = object_type.definition.get("owner", {"rule": "staff", "field": ""})
    key = owner.get("field")
    code = values.get(key) if key else None
    actor_staff = getattr(actor, "staff", None) if actor is not None else None
    if owner["rule"] == "customer":
        customer = customer_refs_by_no(customer_nos=[code])[code]
        staff_id = responsible_staff_on(customer_id=customer.id, day=today) or (actor_staff.pk if actor_staff else None)
        return customer.id, staff_id, customer.branch_id
    if owner["rule"] == "staff":
        staff = Staff.objects.filter(staff_no=code).first() if code else actor_staff
        return None, staff.pk if staff else None, staff.branch_id if staff else getattr(actor, "branch_id", None)
    branch_id = Branch.objects.filter(code=code).values_list("id", flat=True).first() if code else None
    if branch_id is None and actor is not None:
        branch_id = getattr(actor, "branch_id", None) or (actor_staff.branch_id if actor_staff else None)
    return None, None, branch_id


def _snapshot(record: ObjectRecord) -> dict:
    return {"number": record.number, "state": record.state, "values": record.values, "owner_staff": record.owner_staff_id,
            "branch": record.branch_id, "customer": record.customer_id, "escalated": record.escalated}


@transaction.atomic
def record_create(*, actor, object_type: ObjectType, raw: dict[str, Any], today: dt.date | None = None) -> ObjectRecord:
    """A new record from raw values (form, file row or API body); its process starts when the type has one."""
    require(actor, object_type, "create")
    today = today or timezone.localdate()
    definition = object_type.definition
    values = v.clean(definition, raw, creating=True, today=today, resolve=_resolver(actor, object_type))
    _check_unique(object_type, values)
    customer_id, staff_id, branch_id = _owner(actor, object_type, values, today)
    ObjectType.objects.filter(pk=object_type.pk).update(next_number=F("next_number") + 1)
    seq = ObjectType.objects.values_list("next_number", flat=True).get(pk=object_type.pk) - 1
    numbering = definition.get("numbering", {"prefix": "", "digits": 6})
    record = ObjectRecord.objects.create(
        object_type=object_type, number=f"{numbering['prefix']}{seq:0{numbering['digits']}d}", values=values,
        state=d.initial_state(definition), customer_id=customer_id, owner_staff_id=staff_id, branch_id=branch_id,
        created_by=actor if getattr(actor, "pk", None) else None)
    process = definition.get("process")
    if process:
        _process_start(actor, object_type, record, process, today)
    audit_record(actor=actor, action="create", instance=record, changes=diff({}, _snapshot(record)),
                 object_repr=f"{object_type.name_zh} {record.number}")
    return record


def _process_start(actor, object_type: ObjectType, record: ObjectRecord, process: dict, today: dt.date) -> None:
    if not getattr(actor, "pk", None):
        raise DomainError(_("a record with a process is recorded by a user, who applies for it"), field="process")
    if record.owner_staff_id is None:
        raise DomainError(_("nobody is responsible for this record's customer"), field=object_type.definition["owner"]["field"])
    staff = Staff.objects.select_related("branch").get(pk=record.owner_staff_id)
    if process.get("deadline_working_days"):
        start = dt.date.fromisoformat(record.values["received_on"]) if "received_on" in record.values else today
        record.due_on = add_trading_days(start, process["deadline_working_days"], provisional=True)
    ref = process_apply(actor=actor, key=process["key"], business_key=f"{object_type.code}:{record.number}",
                        summary=f"{object_type.name_zh} {record.number}",
                        data={"record_id": record.pk, "type_code": object_type.code, "number": record.number,
                              "staff_no": staff.staff_no}, parties=[], branches=[staff.branch_id])
    record.process_instance_id = ref.id
    record.save(update_fields=["due_on", "process_instance_id"])


@transaction.atomic
def record_update(*, actor, record: ObjectRecord, raw: dict[str, Any], partial: bool = True) -> ObjectRecord:
    """Change values (PATCH: only those given; PUT: all, so a missing required one is refused); read-only ones by state stay."""
    object_type = record.object_type
    require(actor, object_type, "update")
    record = ObjectRecord.objects.select_for_update().get(pk=record.pk)
    before = _snapshot(record)
    values = v.clean(object_type.definition, raw, stored=record.values, partial=partial, today=timezone.localdate(),
                     resolve=_resolver(actor, object_type), readonly=d.readonly_fields(object_type.definition, record.state))
    _check_unique(object_type, values, exclude_id=record.pk)
    owner_key = object_type.definition.get("owner", {}).get("field")
    if owner_key and values.get(owner_key) != record.values.get(owner_key):
        record.customer_id, record.owner_staff_id, record.branch_id = _owner(actor, object_type, values, timezone.localdate())
    record.values = values
    record.save()
    changes = diff(before, _snapshot(record))
    if changes:
        audit_record(actor=actor, action="update", instance=record, changes=changes, object_repr=f"{object_type.name_zh} {record.number}")
    return record


@transaction.atomic
def record_delete(*, actor, record: ObjectRecord) -> None:
    """Delete a record (a running process is withdrawn first); the audit keeps its last values."""
    object_type = record.object_type
    require(actor, object_type, "delete")
    if record.process_instance_id:
        processes_withdraw(key=object_type.definition["process"]["key"], business_key_prefix=f"{object_type.code}:{record.number}",
                           keep_instance_id=0, comment=_("record deleted"))
    audit_record(actor=actor, action="delete", instance=record, changes=diff(_snapshot(record), {}),
                 object_repr=f"{object_type.name_zh} {record.number}")
    record.delete()


@transaction.atomic
def record_transition(*, actor, record: ObjectRecord, to: str) -> ObjectRecord:
    """Move a record to another state along an allowed transition for the actor's role."""
    object_type = record.object_type
    require(actor, object_type, "update")
    role = "admin" if actor is None or actor.is_superuser else actor.role
    if to not in d.transitions_from(object_type.definition, record.state, role):
        raise DomainError(_("no transition from %(a)s to %(b)s for your role") % {"a": record.state, "b": to}, field="state")
    before = record.state
    record.state = to
    record.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="update", instance=record, changes={"state": [before, to]},
                 object_repr=f"{object_type.name_zh} {record.number}")
    return record


def record_state_from_process(*, record_id: int, step_name: str, actor=None) -> None:
    """The process reached a step named like a state (by code or Chinese name): the record takes that state."""
    record = ObjectRecord.objects.select_related("object_type").filter(pk=record_id).first()
    if record is None:
        return
    state = next((s["code"] for s in record.object_type.definition.get("states", []) if step_name in (s["code"], s["zh"], s["en"])), None)
    if state is None or state == record.state:
        return
    before = record.state
    record.state = state
    record.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="update", instance=record, changes={"state": [before, state]},
                 object_repr=f"{record.object_type.name_zh} {record.number}")


def records_import(*, actor, object_type: ObjectType, data: bytes, file: str, today: dt.date | None = None) -> int:
    """A CSV or Excel file of records, a header of field keys: all or nothing, each problem as FILE:LINE:COLUMN."""
    require(actor, object_type, "create")
    rows = _rows(data, file=file)
    live = {f["key"] for f in d.fields(object_type.definition)}
    header = rows[0][1] if rows else []
    problems = [Problem(_("no such field"), file=file, line=rows[0][0], column=h) for h in header if h not in live]
    created = 0
    with transaction.atomic():
        for line, cells in rows[1:] if not problems else []:
            raw = {h: c for h, c in zip(header, cells) if c != ""}
            try:
                with transaction.atomic():
                    record_create(actor=actor, object_type=object_type, raw=raw, today=today)
                created += 1
            except InputRejected as exc:
                problems += [Problem(p.message, file=file, line=line, column=p.field) for p in exc.problems]
            except DomainError as exc:
                problems.append(Problem(exc.message, file=file, line=line, column=exc.field))
            except Http404:
                problems.append(Problem(_("no such customer in your scope"), file=file, line=line,
                                        column=object_type.definition["owner"].get("field", "")))
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise InputRejected(problems)
    audit_record(actor=actor, action="import", object_type=RECORD, object_repr=f"{object_type.name_zh} {file}"[:200],
                 changes={"rows": [None, created]}, note=file)
    return created


def _rows(data: bytes, *, file: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of a CSV (UTF-8) or .xlsx file, the header first."""
    if file.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # noqa: BLE001 (any unreadable workbook is the same refusal)
            raise InputRejected([Problem(_("not an Excel workbook: %(e)s") % {"e": exc}, file=file, line=1)]) from None
        return [(i, ["" if c is None else (c.isoformat()[:10] if isinstance(c, dt.date) else str(c)) for c in row])
                for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if any(c not in (None, "") for c in row)]
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InputRejected([Problem(_("not valid UTF-8"), file=file, line=1)]) from None
    records, problems = read_records(text, file=file)
    if problems:
        raise InputRejected(problems)
    return [(line, [c.strip() for c in cells]) for line, cells in records]


def records_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Records past their deadline whose process still waits: the open task goes to the type's escalation role
    (the branch manager of the record's branch) marked escalated, and the record is marked escalated. Safe to rerun."""
    today = today or timezone.localdate()
    done = 0
    overdue = ObjectRecord.objects.select_related("object_type").filter(due_on__lt=today, escalated=False, process_instance_id__isnull=False)
    for record in overdue:
        process = record.object_type.definition.get("process") or {}
        role = process.get("escalate_to")
        if not role:
            continue
        with transaction.atomic():
            task_id = pending_task_id(key=process["key"], business_key=f"{record.object_type.code}:{record.number}")
            if task_id is None:
                continue
            task_escalate(task_id=task_id, role=role, branch_id=record.branch_id,
                          comment=_("overdue since %(d)s") % {"d": record.due_on.isoformat()})
            ObjectRecord.objects.filter(pk=record.pk).update(escalated=True)
            audit_record(actor=None, action="update", instance=record, changes={"escalated": [False, True]},
                         object_repr=f"{record.object_type.name_zh} {record.number}", note=f"due {record.due_on}")
            done += 1
    return done


def may_define(actor) -> bool:
    return has_role(actor, OBJECT_ADMINS)
