"""Writes of broker relations: every change keeps at most one development relation per customer per day."""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from brokercrm.core.audit import audit_created_many, audit_record, diff, snapshot
from brokercrm.core.bulk import insert_instances, rows_where_in
from brokercrm.core.csvfiles import parse_date, read_rows
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.jobgraph import refresh_request
from brokercrm.core.permissions import role_required
from brokercrm.customers.facade import CustomerRef, customer_lock, customer_refs_by_no
from brokercrm.org.facade import RELATION_IMPORTERS, Staff
from brokercrm.relations.intervals import first_overlap
from brokercrm.relations.models import Relation, RelationType, relation_label

RELATION_COLUMNS = ["customer_no", "staff_no", "relation_type", "start_date", "end_date"]


def _check_development_overlap(customer: CustomerRef, candidate: Relation, *, ignore_ids: set[int] = frozenset()) -> None:
    if candidate.relation_type != RelationType.DEVELOPMENT:
        return
    others = Relation.objects.filter(customer_id=customer.id, relation_type=RelationType.DEVELOPMENT).exclude(id__in=ignore_ids).select_related("staff")
    clash = first_overlap([(r.start_date, r.end_date, r) for r in others] + [(candidate.start_date, candidate.end_date, candidate)])
    if clash:
        existing = clash[0] if clash[1] is candidate else clash[1]
        raise DomainError(
            f"customer {customer.customer_no} already has a development relation with {existing.staff.staff_no} "
            f"from {existing.start_date} to {existing.end_date or '…'}; at most one development relation per day",
            field="start_date")


@transaction.atomic
def relation_add(*, actor, customer: CustomerRef, staff: Staff, relation_type: str, start_date: dt.date,
                 end_date: dt.date | None = None, origin: str = Relation.Origin.WORKFLOW) -> Relation:
    customer_lock(customer_id=customer.id)  # serialise writers of one customer
    if end_date is not None and end_date <= start_date:
        raise DomainError("end date must be after the start date", field="end_date")
    if start_date < customer.open_date:
        raise DomainError(f"start date is before the account opened ({customer.open_date})", field="start_date")
    relation = Relation(customer_id=customer.id, staff=staff, relation_type=relation_type, start_date=start_date,
                        end_date=end_date, origin=origin)
    if Relation.objects.filter(customer_id=customer.id, staff=staff, relation_type=relation_type, start_date=start_date).exists():
        raise DomainError("this relation already exists", field="start_date")
    _check_development_overlap(customer, relation)
    relation.save()
    audit_record(actor=actor, action="create", instance=relation, changes=diff({}, snapshot(relation)))
    return relation


@transaction.atomic
def relation_end(*, actor, relation: Relation, end_date: dt.date) -> Relation:
    """End an open relation on end_date (its first day no longer in force)."""
    if relation.end_date is not None:
        raise DomainError("this relation has already ended", field="end_date")
    if end_date <= relation.start_date:
        raise DomainError("end date must be after the start date", field="end_date")
    before = snapshot(relation)
    relation.end_date = end_date
    relation.save(update_fields=["end_date", "updated_at"])
    audit_record(actor=actor, action="update", instance=relation, changes=diff(before, snapshot(relation)))
    return relation


@dataclass(frozen=True)
class RelationImportResult:
    created: int
    ended: int
    unchanged: int
    customers: frozenset[str]


@role_required(RELATION_IMPORTERS)
def relation_import(*, actor, data: bytes, file_name: str, wait: bool = False, refresh: bool = True,
                    check_only: bool = False) -> RelationImportResult | None:
    """Import relations.csv (source-interface.md): no-ops, endings of open relations, new relations; all or nothing.

    A change requests the warehouse refresh (staff attribution and marts): run before this returns with
    wait=True (the CLI), enqueued on commit for the worker otherwise; refresh=False when the caller is a step of
    the load graph, which runs the rest of the chain itself. check_only: the file's own rules and those against stored
    relations (customers and staff not stored yet may come with the same delivery), InputRejected or None, nothing
    written."""
    rows, problems = read_rows(data, file=file_name, columns=RELATION_COLUMNS)
    customer_nos = {r.values["customer_no"] for r in rows if r.values["customer_no"]}
    staff_nos = {r.values["staff_no"] for r in rows if r.values["staff_no"]}
    customers = customer_refs_by_no(customer_nos=customer_nos)
    staff = {s.staff_no: s for s in Staff.objects.filter(staff_no__in=staff_nos)}
    stored: dict[tuple, Relation] = {}
    for r in Relation.objects.filter(customer__customer_no__in=customer_nos).select_related("customer", "staff"):
        stored[(r.customer.customer_no, r.relation_type, r.staff.staff_no, r.start_date)] = r

    new: list[tuple[int, tuple, dt.date | None]] = []
    endings: list[tuple[int, Relation, dt.date]] = []
    unchanged = 0
    seen: dict[tuple, int] = {}
    for row in rows:
        v = row.values

        def bad(column: str, message: str, line: int = row.line) -> None:
            problems.append(Problem(message, file=file_name, line=line, column=column))

        ok = True
        for column in ("customer_no", "staff_no", "relation_type", "start_date"):
            if not v[column]:
                bad(column, "is required")
                ok = False
        if v["customer_no"] and v["customer_no"] not in customers and not check_only:
            bad("customer_no", f"unknown customer_no '{v['customer_no']}' (load the deliveries first)")
            ok = False
        if v["staff_no"] and v["staff_no"] not in staff and not check_only:
            bad("staff_no", f"unknown staff_no '{v['staff_no']}' (import staff first)")
            ok = False
        if v["relation_type"] and v["relation_type"] not in RelationType.values:
            bad("relation_type", f"unknown relation_type '{v['relation_type']}' (expected development or service)")
            ok = False
        start = parse_date(v["start_date"], required=False, problem=lambda m: bad("start_date", m))
        end = parse_date(v["end_date"], required=False, problem=lambda m: bad("end_date", m))
        if (v["start_date"] and start is None) or (v["end_date"] and end is None):
            ok = False
        if start and end and end <= start:
            bad("end_date", "end_date must be after start_date")
            ok = False
        if not ok:
            continue
        key = (v["customer_no"], v["relation_type"], v["staff_no"], start)
        if key in seen:
            bad("start_date", f"duplicate relation key (first on line {seen[key]})")
            continue
        seen[key] = row.line
        customer = customers.get(v["customer_no"])
        if customer is None:  # check_only: a customer of the delivery being loaded, with no stored relation
            new.append((row.line, key, end))
            continue
        if start < customer.open_date:
            bad("start_date", f"start_date {start} is before the customer's open_date {customer.open_date}")
            continue
        existing = stored.get(key)
        if existing is None:
            new.append((row.line, key, end))
        elif existing.end_date == end:
            unchanged += 1
        elif existing.end_date is None and end is not None:
            endings.append((row.line, existing, end))
        else:
            bad("end_date", f"conflicts with the stored relation ending {existing.end_date or 'never'}; "
                            "only an open relation can be ended by import")

    # At most one development relation per customer on any day, over stored and imported rows together.
    ended_ids = {rel.id: end for _, rel, end in endings}
    by_customer: dict[str, list] = defaultdict(list)
    for key, rel in stored.items():
        if rel.relation_type == RelationType.DEVELOPMENT:
            by_customer[key[0]].append((rel.start_date, ended_ids.get(rel.id, rel.end_date), (None, rel)))
    for line, key, end in new:
        if key[1] == RelationType.DEVELOPMENT:
            by_customer[key[0]].append((key[3], end, (line, key)))
    for customer_no, items in by_customer.items():
        clash = first_overlap(items)
        if clash:
            lines = [c[0] for c in clash if c[0] is not None]
            other = clash[0][1] if clash[0][0] is None else clash[0][1]
            desc = (f"stored relation with {other.staff.staff_no} from {other.start_date}" if clash[0][0] is None
                    else f"line {clash[0][0]}")
            problems.append(Problem(f"development relations of customer {customer_no} overlap ({desc}); "
                                    "at most one per day", file=file_name, line=max(lines), column="start_date"))
    if problems:
        raise InputRejected(sorted(problems, key=lambda p: (p.line or 0, p.column)))
    if check_only:
        return None

    with transaction.atomic():
        for _, rel, end in endings:
            before = snapshot(rel)
            rel.end_date = end
            rel.save(update_fields=["end_date", "updated_at"])
            audit_record(actor=actor, action="update", instance=rel, changes=diff(before, snapshot(rel)), note=file_name)
        created = [Relation(customer_id=customers[c].id, staff=staff[s], relation_type=t, start_date=start, end_date=end,
                            origin=Relation.Origin.IMPORT) for _, (c, t, s, start), end in new]
        # Inserted without bulk_create's value-by-value SQL (an import brings tens of thousands), then their ids by key
        # for the audit entries.
        insert_instances(Relation, created)
        ids = {tuple(key): pk for pk, *key in rows_where_in(Relation, ["id", "customer", "relation_type", "staff", "start_date"],
                                                             "customer", sorted({r.customer_id for r in created}))}
        for r in created:
            r.pk = ids[(r.customer_id, r.relation_type, r.staff_id, r.start_date)]
        customer_nos = {ref.id: no for no, ref in customers.items()}
        audit_created_many(actor=actor, instances=created, note=file_name, describe=lambda r: relation_label(
            customer_nos[r.customer_id], r.relation_type, r.staff.staff_no, r.start_date, r.end_date))
    if (new or endings) and refresh:
        refresh_request(trigger="import", wait=wait)
    touched = frozenset({k[0] for _, k, _ in new} | {rel.customer.customer_no for _, rel, _ in endings})
    return RelationImportResult(len(new), len(endings), unchanged, touched)


def relation_export_rows() -> list[list[str]]:
    """Relations in force or past (pending applications are not relations yet), in the export order."""
    rows = Relation.objects.order_by().values_list("customer__customer_no", "staff__staff_no", "relation_type", "start_date", "end_date")
    ordered = sorted(rows, key=lambda r: (r[0], r[2], r[3], r[1]))
    return [[c, s, t, start.isoformat(), end.isoformat() if end else ""] for c, s, t, start, end in ordered]
