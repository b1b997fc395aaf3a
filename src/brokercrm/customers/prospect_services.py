"""Writes of prospects (潜在客户): create, edit, assign, notes, status, CSV import, conversion on account opening, merge."""
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from brokercrm.core.audit import audit_created_many, audit_record, diff, snapshot
from brokercrm.core.csvfiles import read_records
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.permissions import role_required
from brokercrm.customers.models import Customer, Prospect, ProspectNote
from brokercrm.customers.prospect_selectors import prospect_scope_q
from brokercrm.customers.selectors import customer_scope_q, normalise_id_no, normalise_phone
from brokercrm.org.facade import CUSTOMER_EDITORS, PROSPECT_REVIEWERS, Branch, Staff, scope_for
from brokercrm.platform.facade import custom_field_definitions, custom_field_values_clean

AUDITED = ["name", "mobile", "id_type", "id_no", "email", "branch_id", "staff_id", "source", "status", "custom_fields",
           "converted_customer_id", "converted_on", "merged_into_id", "review_pending", "review_reason"]
IMPORT_COLUMNS = ["name", "mobile", "id_type", "id_no", "email", "branch_code", "staff_no", "source"]
MANUAL_STATUSES = (Prospect.Status.NEW, Prospect.Status.FOLLOWING, Prospect.Status.LOST)


def _identity(prospect: Prospect, *, mobile: str, id_no: str) -> None:
    prospect.mobile = normalise_phone(mobile)
    prospect.mobile_last4 = prospect.mobile[-4:]
    prospect.id_no = normalise_id_no(id_no)
    prospect.id_no_last4 = prospect.id_no[-4:]


def _check(prospect: Prospect, *, actor, field_prefix: str = "") -> list[Problem]:
    """Problems of a prospect about to be stored (each naming its field).

    A customer in the actor's scope with the same mobile or ID number is a problem; a customer or another prospect outside
    it queues the prospect for review instead, saying nothing (the user is not to learn who is a customer elsewhere).
    """
    problems = []
    if not prospect.name.strip():
        problems.append(Problem(_("is required"), field=field_prefix + "name"))
    if not prospect.mobile and not prospect.id_no:
        problems.append(Problem(_("give a mobile number or an ID number"), field=field_prefix + "mobile"))
    if prospect.mobile and not 7 <= len(prospect.mobile) <= 15:
        problems.append(Problem(_("'%(v)s' is not a phone number") % {"v": prospect.mobile}, field=field_prefix + "mobile"))
    if prospect.staff_id and prospect.staff.branch_id != prospect.branch_id:
        problems.append(Problem(_("the staff member works in another branch"), field=field_prefix + "staff_no"))
    if prospect.mobile or prospect.id_no:
        match = Q()
        if prospect.mobile:
            match |= Q(mobile=prospect.mobile)
        if prospect.id_no:
            match |= Q(id_no=prospect.id_no)
        customers = Customer.objects.filter(match)
        # The system (actor None: CLI, jobs) sees everything.
        customer_scope, prospect_scope = (Q(), Q()) if actor is None else (customer_scope_q(actor), prospect_scope_q(actor))
        if customers.filter(customer_scope).exists():
            problems.append(Problem(_("this person already holds an account: search the customer base instead"),
                                    field=field_prefix + ("id_no" if prospect.id_no else "mobile")))
        elif not prospect.review_pending:
            elsewhere = [f"customer {c.customer_no} ({c.branch.code})" for c in customers.select_related("branch").order_by("customer_no")]
            others = Prospect.objects.filter(match).exclude(prospect_scope).exclude(status=Prospect.Status.MERGED)
            elsewhere += [f"prospect P{p.pk} ({p.branch.code})" for p in others.exclude(pk=prospect.pk).select_related("branch").order_by("id")]
            if elsewhere:
                prospect.review_pending = True
                prospect.review_reason = "same mobile or ID number as, outside the scope of the user who entered it: " + ", ".join(elsewhere)
    return problems


@role_required(CUSTOMER_EDITORS)
@transaction.atomic
def prospect_create(*, actor, name: str, branch: Branch, mobile: str = "", id_type: str = "", id_no: str = "", email: str = "",
                    staff: Staff | None = None, source: str = "", custom_fields: dict[str, Any] | None = None) -> Prospect:
    """Record a prospect; refused when the person already holds an account (same normalised mobile or ID number)."""
    prospect = Prospect(name=(name or "").strip(), branch=branch, id_type=id_type or "", email=email or "", staff=staff,
                        source=source or "", created_by=actor if getattr(actor, "pk", None) else None,
                        status=Prospect.Status.NEW)
    _identity(prospect, mobile=mobile, id_no=id_no)
    problems = _check(prospect, actor=actor)
    try:
        prospect.custom_fields = custom_field_values_clean("prospect", custom_fields or {}, creating=True)
    except InputRejected as exc:
        problems += exc.problems
    if problems:
        raise InputRejected(problems)
    prospect.save()
    audit_record(actor=actor, action="create", instance=prospect, changes=diff({}, snapshot(prospect, AUDITED)))
    return prospect


@role_required(CUSTOMER_EDITORS)
@transaction.atomic
def prospect_update(*, actor, prospect: Prospect, **changes: Any) -> Prospect:
    """Change a prospect's details, assignment or status (name, mobile, id_type, id_no, email, branch, staff, source, status, custom_fields)."""
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if not prospect.is_open and set(changes) - {"custom_fields"}:
        raise DomainError(_("a %(s)s prospect can no longer be changed") % {"s": prospect.get_status_display()}, field="status")
    before = snapshot(prospect, AUDITED)
    for name in ("name", "id_type", "email", "source", "branch", "staff"):
        if name in changes:
            setattr(prospect, name, changes[name] if name in ("branch", "staff") else (changes[name] or "").strip())
    if "status" in changes:
        if changes["status"] not in MANUAL_STATUSES:
            raise DomainError(_("conversion and merging happen on their own; choose new, following up or lost"), field="status")
        prospect.status = changes["status"]
    _identity(prospect, mobile=changes.get("mobile", prospect.mobile), id_no=changes.get("id_no", prospect.id_no))
    problems = _check(prospect, actor=actor) if prospect.is_open else []
    if "custom_fields" in changes:
        try:
            prospect.custom_fields = custom_field_values_clean("prospect", changes["custom_fields"], stored=prospect.custom_fields,
                                                  partial=changes.get("partial_custom_fields", True))
        except InputRejected as exc:
            problems += exc.problems
    if problems:
        raise InputRejected(problems)
    prospect.save()
    delta = diff(before, snapshot(prospect, AUDITED))
    if delta:
        audit_record(actor=actor, action="update", instance=prospect, changes=delta)
    return prospect


@role_required(CUSTOMER_EDITORS)
@transaction.atomic
def prospect_delete(*, actor, prospect: Prospect) -> None:
    """Delete a prospect entered by mistake; converted or merged ones are history and stay."""
    if prospect.status in (Prospect.Status.CONVERTED, Prospect.Status.MERGED) or prospect.merged_from.exists():
        raise DomainError(_("converted and merged prospects are kept as history"), field="status")
    audit_record(actor=actor, action="delete", instance=prospect, changes=diff(snapshot(prospect, AUDITED), {}))
    prospect.delete()


@role_required(CUSTOMER_EDITORS)
@transaction.atomic
def prospect_note_add(*, actor, prospect: Prospect, text: str, next_contact_on: dt.date | None = None) -> ProspectNote:
    """A follow-up note (跟进记录); a new prospect becomes 'following up'."""
    if not (text or "").strip():
        raise DomainError(_("is required"), field="text")
    note = ProspectNote.objects.create(prospect=prospect, author=actor if getattr(actor, "pk", None) else None,
                                       author_label=getattr(actor, "username", "") or "system", text=text.strip(),
                                       next_contact_on=next_contact_on)
    if prospect.status == Prospect.Status.NEW:
        Prospect.objects.filter(pk=prospect.pk).update(status=Prospect.Status.FOLLOWING)
        prospect.status = Prospect.Status.FOLLOWING
    audit_record(actor=actor, action="create", instance=note, object_type="customers.prospectnote",
                 changes={"prospect": [None, prospect.pk], "text": [None, note.text]})
    return note


@role_required(PROSPECT_REVIEWERS)
@transaction.atomic
def prospect_review_clear(*, actor, prospect: Prospect) -> Prospect:
    """A reviewer (head office, or the branch manager of the prospect's branch) takes a prospect off the review queue."""
    scope = scope_for(actor)
    if actor is not None and not scope.everything and prospect.branch_id not in scope.branch_ids:
        raise PermissionDenied
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if not prospect.review_pending:
        raise DomainError(_("this prospect is not waiting for review"), field="review_pending")
    before = snapshot(prospect, AUDITED)
    prospect.review_pending = False
    prospect.save(update_fields=["review_pending", "updated_at"])
    audit_record(actor=actor, action="update", instance=prospect, changes=diff(before, snapshot(prospect, AUDITED)), note="review cleared")
    return prospect


def prospects_convert(*, accounts: list[dict], business_date: dt.date) -> int:
    """Mark the open prospects whose normalised mobile or ID number matches an account newly loaded on business_date
    (a dict of its id, customer_no, id_no, mobile and open_date as delivered that day) as converted.

    The prospect row, its notes and its custom values stay as history, linked to the customer; no duplicate is created.
    Custom values whose key the customer object also defines are copied (a new account has none of its own).
    """
    open_prospects = Prospect.objects.filter(status__in=[Prospect.Status.NEW, Prospect.Status.FOLLOWING])
    wanted_ids = set(open_prospects.exclude(id_no="").values_list("id_no", flat=True))
    wanted_mobiles = set(open_prospects.exclude(mobile="").values_list("mobile", flat=True))
    # Prospects are few and a load may open many accounts: match in memory.
    fresh = sorted(({**a, "custom_fields": {}} for a in accounts if a["id_no"] in wanted_ids or a["mobile"] in wanted_mobiles),
                   key=lambda a: (a["open_date"], a["customer_no"]))
    if not fresh:
        return 0
    by_id = {a["id_no"]: a for a in reversed(fresh) if a["id_no"]}
    by_mobile = {a["mobile"]: a for a in reversed(fresh) if a["mobile"]}
    candidates = open_prospects.filter(Q(id_no__in=list(by_id)) | Q(mobile__in=list(by_mobile)))
    customer_keys = {d.key for d in custom_field_definitions("customer")}
    converted = 0
    for prospect in candidates.select_for_update():
        account = by_id.get(prospect.id_no) if prospect.id_no else None
        account = account or by_mobile.get(prospect.mobile)
        if account is None:
            continue
        before = snapshot(prospect, AUDITED)
        prospect.status, prospect.converted_customer_id, prospect.converted_on = Prospect.Status.CONVERTED, account["id"], business_date
        prospect.save(update_fields=["status", "converted_customer", "converted_on", "updated_at"])
        carried = {k: v for k, v in prospect.custom_fields.items() if k in customer_keys and k not in account["custom_fields"]}
        if carried:
            account["custom_fields"] = {**account["custom_fields"], **carried}
            Customer.objects.filter(pk=account["id"]).update(custom_fields=account["custom_fields"])
        audit_record(actor=None, action="update", instance=prospect, changes=diff(before, snapshot(prospect, AUDITED)),
                     note=f"converted: account {account['customer_no']} opened, loaded {business_date}")
        converted += 1
    return converted


@role_required(CUSTOMER_EDITORS)
@transaction.atomic
def prospect_merge(*, actor, survivor: Prospect, others: list[Prospect]) -> Prospect:
    """Merge duplicate prospects into one, losing nothing.

    The survivor keeps its values and takes over whatever it lacks; the others' notes move to it; any value that
    differed is written into a note on the survivor; the others stay as rows marked merged, pointing to the survivor.
    """
    survivor = Prospect.objects.select_for_update().get(pk=survivor.pk)
    others = [Prospect.objects.select_for_update().get(pk=o.pk) for o in others if o.pk != survivor.pk]
    if not others:
        raise DomainError(_("choose at least one other prospect to merge"), field="others")
    if not survivor.is_open or any(not o.is_open for o in others):
        raise DomainError(_("only open prospects can be merged"), field="others")
    before = snapshot(survivor, AUDITED)
    for other in others:
        differences = []
        for name in ("name", "mobile", "id_type", "id_no", "email", "source"):
            mine, theirs = getattr(survivor, name), getattr(other, name)
            if not mine and theirs:
                setattr(survivor, name, theirs)
            elif theirs and theirs != mine:
                differences.append(f"{name}: {theirs}")
        if survivor.staff_id is None and other.staff_id is not None and other.staff.branch_id == survivor.branch_id:
            survivor.staff_id = other.staff_id
        elif other.staff_id and other.staff_id != survivor.staff_id:
            differences.append(f"staff: {other.staff}")
        if other.branch_id != survivor.branch_id:
            differences.append(f"branch: {other.branch}")
        for key, value in other.custom_fields.items():
            if key not in survivor.custom_fields:
                survivor.custom_fields[key] = value
            elif survivor.custom_fields[key] != value:
                differences.append(f"{key}: {value}")
        ProspectNote.objects.filter(prospect=other).update(prospect=survivor)
        ProspectNote.objects.create(
            prospect=survivor, author=actor if getattr(actor, "pk", None) else None, author_label=getattr(actor, "username", "") or "system",
            text=_("Merged from %(p)s.") % {"p": other} + (" " + _("Values that differed: %(d)s") % {"d": "; ".join(differences)}
                                                          if differences else ""))
        other_before = snapshot(other, AUDITED)
        other.status, other.merged_into = Prospect.Status.MERGED, survivor
        other.save(update_fields=["status", "merged_into", "updated_at"])
        audit_record(actor=actor, action="update", instance=other, changes=diff(other_before, snapshot(other, AUDITED)),
                     note=f"merged into {survivor}")
    survivor.mobile_last4, survivor.id_no_last4 = survivor.mobile[-4:], survivor.id_no[-4:]
    survivor.save()
    audit_record(actor=actor, action="update", instance=survivor, changes=diff(before, snapshot(survivor, AUDITED)),
                 note="merged " + ", ".join(str(o) for o in others))
    return survivor


@dataclass(frozen=True)
class ProspectImportResult:
    created: int


@role_required(CUSTOMER_EDITORS)
def prospect_import(*, actor, data: bytes, file_name: str, allowed_branch_ids: set[int] | None = None) -> ProspectImportResult:
    """Import prospects from CSV, all or nothing; each problem names FILE:LINE:COLUMN.

    Columns: name, mobile, id_type, id_no, email, branch_code, staff_no, source, then any custom fields of prospects by key.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputRejected([Problem(_("file starts with a byte-order mark; UTF-8 without BOM expected"), file=file_name, line=1)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputRejected([Problem(_("not valid UTF-8"), file=file_name, line=data[:exc.start].count(b"\n") + 1)]) from None
    records, problems = read_records(text, file=file_name)
    if not records and problems:
        raise InputRejected(problems)
    header = records[0][1] if records else []
    custom_keys = {d.key for d in custom_field_definitions("prospect")}
    extra = header[len(IMPORT_COLUMNS):]
    if header[:len(IMPORT_COLUMNS)] != IMPORT_COLUMNS:
        raise InputRejected([Problem(_("header must start with: %(c)s") % {"c": ",".join(IMPORT_COLUMNS)}, file=file_name, line=1)])
    unknown = [k for k in extra if k not in custom_keys]
    if unknown or len(set(extra)) != len(extra):
        raise InputRejected([Problem(_("unknown or repeated custom field column: %(c)s") % {"c": ",".join(unknown or extra)},
                                     file=file_name, line=1)])
    branches = {b.code: b for b in Branch.objects.all()}
    staff = {s.staff_no: s for s in Staff.objects.all()}
    seen: dict[str, int] = {}
    todo: list[Prospect] = []
    for line, record in records[1:]:
        if not record:
            continue
        if len(record) != len(header):
            problems.append(Problem(_("expected %(n)d fields, found %(f)d") % {"n": len(header), "f": len(record)}, file=file_name, line=line))
            continue
        row = dict(zip(header, record))

        def bad(column: str, message: str) -> None:
            problems.append(Problem(message, file=file_name, line=line, column=column))

        branch = branches.get(row["branch_code"])
        if branch is None:
            bad("branch_code", _("unknown branch '%(v)s'") % {"v": row["branch_code"]})
            continue
        if allowed_branch_ids is not None and branch.id not in allowed_branch_ids:
            bad("branch_code", _("branch %(v)s is outside your data scope") % {"v": row["branch_code"]})
            continue
        member = None
        if row["staff_no"]:
            member = staff.get(row["staff_no"])
            if member is None:
                bad("staff_no", _("unknown staff member '%(v)s'") % {"v": row["staff_no"]})
                continue
        prospect = Prospect(name=row["name"].strip(), branch=branch, staff=member, id_type=row["id_type"], email=row["email"],
                            source=row["source"], created_by=actor if getattr(actor, "pk", None) else None)
        _identity(prospect, mobile=row["mobile"], id_no=row["id_no"])
        for p in _check(prospect, actor=actor):
            bad({"staff_no": "staff_no"}.get(p.field, p.field), p.message)
        for key in ("mobile", "id_no"):
            value = getattr(prospect, key)
            if value and f"{key}:{value}" in seen:
                bad(key, _("same %(k)s as line %(l)d") % {"k": key, "l": seen[f"{key}:{value}"]})
            elif value:
                seen[f"{key}:{value}"] = line
        try:
            prospect.custom_fields = custom_field_values_clean("prospect", {k: row[k] for k in extra}, creating=True)
        except InputRejected as exc:
            for p in exc.problems:
                bad(p.field, p.message)
        todo.append(prospect)
    if problems:
        raise InputRejected(problems)
    with transaction.atomic():
        created = Prospect.objects.bulk_create(todo, batch_size=2000)
        audit_created_many(actor=actor, instances=created, note=f"import {file_name}")
    return ProspectImportResult(len(created))
