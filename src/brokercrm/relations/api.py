"""API for broker relations: scoped reads and applications (add, transfer, terminate, bulk transfer) into the workflow."""
import datetime as dt

from ninja import Router, Schema

from brokercrm.core.api_errors import errors
from brokercrm.core.intervals import in_force_q
from brokercrm.customers.facade import customer_get, customer_get_to_win, scope_date
from brokercrm.org.facade import staff_get
from brokercrm.relations import applications, selectors
from brokercrm.relations.models import RelationType

router = Router(tags=["relations"])


class RelationOut(Schema):
    id: int
    customer_no: str
    staff_no: str
    relation_type: str
    start_date: dt.date
    end_date: dt.date | None
    origin: str


class ApplicationOut(Schema):
    id: int
    process: str
    status: str
    summary: str


class AddIn(Schema):
    customer_no: str
    staff_no: str
    relation_type: RelationType = RelationType.DEVELOPMENT
    start_date: dt.date
    reason: str = ""


class TransferIn(Schema):
    to_staff_no: str
    effective_date: dt.date
    reason: str = ""


class TerminateIn(Schema):
    end_date: dt.date
    reason: str = ""


class BulkTransferIn(Schema):
    from_staff_no: str
    to_staff_no: str
    effective_date: dt.date
    include_service: bool = True
    reason: str = ""


class BulkMoveOut(Schema):
    relation_id: int
    customer_no: str
    relation_type: str
    start_date: dt.date


def _relation_out(r) -> dict:
    return {"id": r.pk, "customer_no": r.customer.customer_no, "staff_no": r.staff.staff_no, "relation_type": r.relation_type,
            "start_date": r.start_date, "end_date": r.end_date, "origin": r.origin}


def _application_out(i) -> dict:
    return {"id": i.id, "process": i.key, "status": i.status, "summary": i.summary}


@router.get("/relations", response={200: list[RelationOut], **errors(400)}, summary="Relations of the customers in the caller's scope")
def list_relations(request, customer_no: str = "", staff_no: str = "", on: dt.date | None = None):
    qs = selectors.relation_list(user=request.auth)
    if customer_no:
        qs = qs.filter(customer__customer_no=customer_no)
    if staff_no:
        qs = qs.filter(staff__staff_no=staff_no)
    if on:
        qs = qs.filter(in_force_q(on))
    return [_relation_out(r) for r in qs.order_by("customer__customer_no", "relation_type", "start_date")[:5000]]


@router.get("/relations/customers/{customer_no}", response={200: list[RelationOut], **errors(404)}, summary="A customer's relation history")
def customer_history(request, customer_no: str):
    customer = customer_get(user=request.auth, customer_no=customer_no)
    return [_relation_out(r) for r in selectors.relation_history(user=request.auth, customer_id=customer.id)]


@router.get("/relations/staff/{staff_no}/book", response={200: list[RelationOut], **errors(400, 404)}, summary="A staff member's book of customers on a date")
def staff_book(request, staff_no: str, on: dt.date | None = None):
    staff = staff_get(user=request.auth, staff_no=staff_no)
    return [_relation_out(r) for r in selectors.staff_book(user=request.auth, staff=staff, on=on or scope_date())]


@router.post("/relations/applications/add", response={200: ApplicationOut, **errors(400, 403, 404)}, summary="Apply for a new relation (branch manager approves)")
def apply_add(request, body: AddIn):
    customer = customer_get_to_win(user=request.auth, customer_no=body.customer_no)
    staff = staff_get(user=request.auth, staff_no=body.staff_no)
    instance = applications.relation_add_apply(actor=request.auth, customer=customer, staff=staff, relation_type=body.relation_type,
                                               start_date=body.start_date, reason=body.reason)
    return _application_out(instance)


@router.post("/relations/{relation_id}/transfer", response={200: ApplicationOut, **errors(400, 403, 404)},
             summary="Apply to transfer a relation (managers of both sides; head office across branches)")
def apply_transfer(request, relation_id: int, body: TransferIn):
    relation = selectors.relation_get(user=request.auth, relation_id=relation_id)
    to_staff = selectors.staff_for_application(staff_no=body.to_staff_no)
    instance = applications.relation_transfer_apply(actor=request.auth, relation=relation, to_staff=to_staff,
                                                    effective_date=body.effective_date, reason=body.reason)
    return _application_out(instance)


@router.post("/relations/{relation_id}/terminate", response={200: ApplicationOut, **errors(400, 403, 404)}, summary="Apply to end a relation")
def apply_terminate(request, relation_id: int, body: TerminateIn):
    relation = selectors.relation_get(user=request.auth, relation_id=relation_id)
    instance = applications.relation_terminate_apply(actor=request.auth, relation=relation, end_date=body.end_date, reason=body.reason)
    return _application_out(instance)


@router.post("/relations/applications/bulk-transfer/preview", response={200: list[BulkMoveOut], **errors(400, 403, 404)},
             summary="Every relation a bulk transfer would move")
def preview_bulk_transfer(request, body: BulkTransferIn):
    preview = applications.bulk_transfer_preview(
        actor=request.auth, from_staff=staff_get(user=request.auth, staff_no=body.from_staff_no),
        to_staff=selectors.staff_for_application(staff_no=body.to_staff_no), effective_date=body.effective_date,
        include_service=body.include_service)
    return [{"relation_id": m.relation_id, "customer_no": m.customer_no, "relation_type": m.relation_type, "start_date": m.start_date}
            for m in preview.moves]


@router.post("/relations/applications/bulk-transfer", response={200: ApplicationOut, **errors(400, 403, 404)},
             summary="Apply to move a leaving staff member's whole book (one approval)")
def apply_bulk_transfer(request, body: BulkTransferIn):
    instance = applications.relation_bulk_transfer_apply(
        actor=request.auth, from_staff=staff_get(user=request.auth, staff_no=body.from_staff_no),
        to_staff=selectors.staff_for_application(staff_no=body.to_staff_no), effective_date=body.effective_date,
        include_service=body.include_service, reason=body.reason)
    return _application_out(instance)
