"""Applications for relation changes (add, transfer, terminate, bulk transfer) and the handlers that make them effective.

Applying starts the process's BPMN definition in the workflow engine; nothing changes in the relations until
the last approval, when the engine calls the handler named by the definition's service task. Handlers write
through relations.services (so the overlap rules and the audit apply) and rebuild staff attribution after commit.
"""
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from brokercrm.core.errors import DomainError
from brokercrm.core.intervals import in_force_q
from brokercrm.core.jobgraph import refresh_request
from brokercrm.core.permissions import require_role
from brokercrm.customers.facade import CustomerRef, customer_in_scope, customer_ref_by_id, customer_refs_by_no
from brokercrm.org.facade import BULK_TRANSFER_APPLICANTS, RELATION_APPLICANTS, Role, Staff, scope_for
from brokercrm.platform.facade import ApplicationRef, HandlerContext, process_apply, register_handler, register_process
from brokercrm.relations import selectors, services
from brokercrm.relations.models import Relation, RelationType

PROCESSES = Path(__file__).parent / "processes"


def _subject(customer_no: str, relation_type: str, staff_no: str) -> str:
    """One pending application per development relation of a customer, per service relation of a customer and staff."""
    if relation_type == RelationType.DEVELOPMENT:
        return f"relation:{customer_no}:development"
    return f"relation:{customer_no}:service:{staff_no}"


def _check_applicant(actor, staff: Staff, roles: frozenset[str] = RELATION_APPLICANTS) -> None:
    # A role that may not apply is refused like every write it may not make (403); a staff member outside the scope
    # is a form error naming the field, shown next to the staff number.
    require_role(actor, roles)
    scope = scope_for(actor)
    if not scope.everything and staff.id not in scope.staff_ids and staff.branch_id not in scope.branch_ids:
        raise DomainError(f"staff member {staff.staff_no} is outside your scope", field="staff_no")


def _check_employed(staff: Staff, day: dt.date, field: str) -> None:
    if not staff.employed_on(day):
        raise DomainError(f"{staff.staff_no} {staff.name} is not employed on {day}", field=field)


def relation_add_apply(*, actor, customer: CustomerRef, staff: Staff, relation_type: str, start_date: dt.date,
                       reason: str = "") -> ApplicationRef:
    """A broker (or their manager) applies for a new development or service relation from start_date."""
    _check_applicant(actor, staff)
    if relation_type not in RelationType.values:
        raise DomainError(f"unknown relation type '{relation_type}'", field="relation_type")
    _check_employed(staff, start_date, "staff_no")
    candidate = Relation(customer_id=customer.id, staff=staff, relation_type=relation_type, start_date=start_date)
    try:
        if start_date < customer.open_date:
            raise DomainError(f"start date is before the account opened ({customer.open_date})", field="start_date")
        services._check_development_overlap(customer, candidate)
    except DomainError:
        # A customer of the branch outside the applicant's scope may be applied for (to win it), but the refusal must
        # not tell who holds it nor when it opened: no oracle.
        if not customer_in_scope(user=actor, customer_id=customer.id):
            raise DomainError(str(_("this customer cannot be applied for")), field="customer_no") from None
        raise
    if relation_type == RelationType.SERVICE and Relation.objects.filter(
            in_force_q(start_date), customer_id=customer.id, staff=staff, relation_type=relation_type).exists():
        raise DomainError(f"{staff.staff_no} already serves customer {customer.customer_no} on {start_date}", field="start_date")
    data = {"customer_no": customer.customer_no, "customer_name": customer.name, "staff_no": staff.staff_no,
            "staff_name": staff.name, "relation_type": relation_type, "start_date": start_date.isoformat(), "reason": reason}
    summary = f"{customer.customer_no} {customer.name} → {staff.staff_no} {staff.name} ({relation_type}, {start_date})"
    return process_apply(actor=actor, key="relation_add", data=data, business_key=_subject(customer.customer_no, relation_type, staff.staff_no),
                         summary=summary, parties=[staff], branches=[staff.branch_id, customer.branch_id], reason=reason)


def relation_transfer_apply(*, actor, relation: Relation, to_staff: Staff, effective_date: dt.date, reason: str = "") -> ApplicationRef:
    """Apply to move an open relation to another staff member from effective_date (the old one ends that day)."""
    current = relation.staff
    _check_applicant(actor, current)
    if relation.end_date is not None:
        raise DomainError("only a relation in force without an end date can be transferred", field="relation")
    if to_staff.pk == current.pk:
        raise DomainError("the receiving staff member already holds this relation", field="to_staff_no")
    if effective_date <= relation.start_date:
        raise DomainError(f"the effective date must be after the relation's start ({relation.start_date})", field="effective_date")
    _check_employed(to_staff, effective_date, "to_staff_no")
    customer = customer_ref_by_id(customer_id=relation.customer_id)
    cross_branch = current.branch_id != to_staff.branch_id
    applied_by_current_manager = actor.role == Role.BRANCH_MANAGER and scope_for(actor).branch_ids == frozenset({current.branch_id})
    data = {"customer_no": customer.customer_no, "customer_name": customer.name, "relation_type": relation.relation_type,
            "relation_id": relation.pk, "from_staff_no": current.staff_no, "from_staff_name": current.name,
            "to_staff_no": to_staff.staff_no, "to_staff_name": to_staff.name, "effective_date": effective_date.isoformat(),
            "cross_branch": cross_branch, "applied_by_current_manager": applied_by_current_manager, "reason": reason}
    summary = (f"{customer.customer_no} {customer.name}: {current.staff_no} {current.name} → {to_staff.staff_no} {to_staff.name} "
               f"({relation.relation_type}, {effective_date})")
    return process_apply(actor=actor, key="relation_transfer", data=data,
                         business_key=_subject(customer.customer_no, relation.relation_type, current.staff_no), summary=summary,
                         parties=[current, to_staff], branches=[current.branch_id, to_staff.branch_id, customer.branch_id], reason=reason)


def relation_terminate_apply(*, actor, relation: Relation, end_date: dt.date, reason: str = "") -> ApplicationRef:
    """Apply to end an open relation on end_date (its first day no longer in force)."""
    _check_applicant(actor, relation.staff)
    if relation.end_date is not None:
        raise DomainError("this relation has already ended", field="relation")
    if end_date <= relation.start_date:
        raise DomainError(f"the end date must be after the relation's start ({relation.start_date})", field="end_date")
    customer, staff = customer_ref_by_id(customer_id=relation.customer_id), relation.staff
    data = {"customer_no": customer.customer_no, "customer_name": customer.name, "relation_type": relation.relation_type,
            "relation_id": relation.pk, "staff_no": staff.staff_no, "staff_name": staff.name, "end_date": end_date.isoformat(),
            "reason": reason}
    summary = f"{customer.customer_no} {customer.name} ✕ {staff.staff_no} {staff.name} ({relation.relation_type}, {end_date})"
    return process_apply(actor=actor, key="relation_terminate", data=data,
                         business_key=_subject(customer.customer_no, relation.relation_type, staff.staff_no), summary=summary,
                         parties=[staff], branches=[staff.branch_id, customer.branch_id], reason=reason)


@dataclass(frozen=True)
class BulkMove:
    relation_id: int
    customer_no: str
    customer_name: str
    relation_type: str
    start_date: dt.date


@dataclass(frozen=True)
class BulkPreview:
    from_staff: Staff
    to_staff: Staff
    effective_date: dt.date
    include_service: bool
    moves: list[BulkMove]

    @property
    def cross_branch(self) -> bool:
        return self.from_staff.branch_id != self.to_staff.branch_id


def bulk_transfer_preview(*, actor, from_staff: Staff, to_staff: Staff, effective_date: dt.date, include_service: bool) -> BulkPreview:
    """Every relation that would move: the leaving staff member's open relations in force on the effective date."""
    _check_applicant(actor, from_staff, BULK_TRANSFER_APPLICANTS)
    if from_staff.pk == to_staff.pk:
        raise DomainError("the receiving staff member must be someone else", field="to_staff_no")
    _check_employed(to_staff, effective_date, "to_staff_no")
    relations = selectors.open_relations_of(staff=from_staff, on=effective_date, include_service=include_service)
    too_new = [r.customer.customer_no for r in relations if r.start_date >= effective_date]
    if too_new:
        raise DomainError(f"relations of {', '.join(too_new)} start on or after the effective date; choose a later date",
                          field="effective_date")
    if not relations:
        raise DomainError(f"{from_staff.staff_no} holds no open relation on {effective_date}; nothing to transfer", field="from_staff_no")
    moves = [BulkMove(r.pk, r.customer.customer_no, r.customer.name, r.relation_type, r.start_date) for r in relations]
    return BulkPreview(from_staff, to_staff, effective_date, include_service, moves)


def relation_bulk_transfer_apply(*, actor, from_staff: Staff, to_staff: Staff, effective_date: dt.date,
                                 include_service: bool, reason: str = "") -> ApplicationRef:
    """Apply, with the preview's list, to move a leaving staff member's whole book on one approval."""
    preview = bulk_transfer_preview(actor=actor, from_staff=from_staff, to_staff=to_staff, effective_date=effective_date,
                                    include_service=include_service)
    data = {"from_staff_no": from_staff.staff_no, "from_staff_name": from_staff.name, "to_staff_no": to_staff.staff_no,
            "to_staff_name": to_staff.name, "effective_date": effective_date.isoformat(), "include_service": include_service,
            "cross_branch": preview.cross_branch, "reason": reason, "count": len(preview.moves),
            "moves": [{"relation_id": m.relation_id, "customer_no": m.customer_no, "customer_name": m.customer_name,
                       "relation_type": m.relation_type, "start_date": m.start_date.isoformat()} for m in preview.moves]}
    summary = (f"{from_staff.staff_no} {from_staff.name} → {to_staff.staff_no} {to_staff.name}: "
               f"{len(preview.moves)} relation(s) from {effective_date}")
    return process_apply(actor=actor, key="relation_bulk_transfer", data=data, business_key=f"book:{from_staff.staff_no}",
                         summary=summary, parties=[from_staff, to_staff], branches=[from_staff.branch_id, to_staff.branch_id], reason=reason)


def _refresh_attribution_after_commit() -> None:
    """A development relation changed: staff marts follow once it is committed (the rebuild reads the app database).

    The refresh runs as a task so that an approver does not wait for the marts (the worker, or in tests the
    immediate backend, runs it).
    """
    refresh_request(trigger="workflow", wait=False)


def handle_add(context: HandlerContext) -> None:
    d = context.data
    customer = customer_refs_by_no(customer_nos=[d["customer_no"]])[d["customer_no"]]
    staff = Staff.objects.get(staff_no=d["staff_no"])
    relation = services.relation_add(actor=context.actor, customer=customer, staff=staff, relation_type=d["relation_type"],
                                     start_date=dt.date.fromisoformat(d["start_date"]), origin=Relation.Origin.WORKFLOW)
    context.results["relation_ids"] = [relation.pk]
    if relation.relation_type == RelationType.DEVELOPMENT:
        _refresh_attribution_after_commit()


def _open_relation(relation_id: int, staff_no: str, customer_no: str) -> Relation:
    relation = Relation.objects.select_related("customer", "staff").filter(pk=relation_id).first()
    if relation is None or relation.staff.staff_no != staff_no or relation.end_date is not None:
        raise DomainError(f"the relation of customer {customer_no} with {staff_no} changed since the application; apply again",
                          field="relation")
    return relation


def _move(context: HandlerContext, relation: Relation, to_staff: Staff, day: dt.date, origin: str) -> list[int]:
    services.relation_end(actor=context.actor, relation=relation, end_date=day)
    if relation.relation_type == RelationType.SERVICE and Relation.objects.filter(
            in_force_q(day), customer_id=relation.customer_id, staff=to_staff, relation_type=RelationType.SERVICE).exists():
        return [relation.pk]  # the receiver already serves this customer
    new = services.relation_add(actor=context.actor, customer=customer_ref_by_id(customer_id=relation.customer_id), staff=to_staff, relation_type=relation.relation_type,
                                start_date=day, origin=origin)
    return [relation.pk, new.pk]


def handle_transfer(context: HandlerContext) -> None:
    d = context.data
    relation = _open_relation(d["relation_id"], d["from_staff_no"], d["customer_no"])
    to_staff = Staff.objects.get(staff_no=d["to_staff_no"])
    context.results["relation_ids"] = _move(context, relation, to_staff, dt.date.fromisoformat(d["effective_date"]), Relation.Origin.WORKFLOW)
    if relation.relation_type == RelationType.DEVELOPMENT:
        _refresh_attribution_after_commit()


def handle_terminate(context: HandlerContext) -> None:
    d = context.data
    relation = _open_relation(d["relation_id"], d["staff_no"], d["customer_no"])
    services.relation_end(actor=context.actor, relation=relation, end_date=dt.date.fromisoformat(d["end_date"]))
    context.results["relation_ids"] = [relation.pk]
    if relation.relation_type == RelationType.DEVELOPMENT:
        _refresh_attribution_after_commit()


def handle_bulk_transfer(context: HandlerContext) -> None:
    d = context.data
    to_staff = Staff.objects.get(staff_no=d["to_staff_no"])
    day = dt.date.fromisoformat(d["effective_date"])
    ids: list[int] = []
    for move in d["moves"]:
        relation = _open_relation(move["relation_id"], d["from_staff_no"], move["customer_no"])
        ids += _move(context, relation, to_staff, day, Relation.Origin.BULK_TRANSFER)
    context.results["relation_ids"] = ids
    _refresh_attribution_after_commit()


ADD_FIELDS = {"customer_no", "customer_name", "staff_no", "staff_name", "relation_type", "start_date", "reason"}
TRANSFER_FIELDS = {"customer_no", "customer_name", "relation_type", "relation_id", "from_staff_no", "from_staff_name", "to_staff_no",
                   "to_staff_name", "effective_date", "cross_branch", "applied_by_current_manager", "reason"}
TERMINATE_FIELDS = {"customer_no", "customer_name", "relation_type", "relation_id", "staff_no", "staff_name", "end_date", "reason"}
BULK_FIELDS = {"from_staff_no", "from_staff_name", "to_staff_no", "to_staff_name", "effective_date", "include_service", "cross_branch",
               "reason", "count", "moves"}


def register() -> None:
    """Tell the workflow engine about the relation processes and their handlers (called once at start-up)."""
    register_process("relation_add", label=_("Add a broker relation"), shipped=PROCESSES / "relation_add.bpmn",
                              fields=ADD_FIELDS, detail_template="relations/process/_add.html")
    register_process("relation_transfer", label=_("Transfer a broker relation"), shipped=PROCESSES / "relation_transfer.bpmn",
                              fields=TRANSFER_FIELDS, detail_template="relations/process/_transfer.html")
    register_process("relation_terminate", label=_("Terminate a broker relation"), shipped=PROCESSES / "relation_terminate.bpmn",
                              fields=TERMINATE_FIELDS, detail_template="relations/process/_terminate.html")
    register_process("relation_bulk_transfer", label=_("Bulk transfer of a leaving staff member's customers"),
                              shipped=PROCESSES / "relation_bulk_transfer.bpmn", fields=BULK_FIELDS,
                              detail_template="relations/process/_bulk_transfer.html")
    register_handler("relations.add", handle_add, label=_("Relation takes effect"))
    register_handler("relations.transfer", handle_transfer, label=_("Relation moves to the receiving staff member"))
    register_handler("relations.terminate", handle_terminate, label=_("Relation ends"))
    register_handler("relations.bulk_transfer", handle_bulk_transfer, label=_("Customers move to the receiving staff member"))
