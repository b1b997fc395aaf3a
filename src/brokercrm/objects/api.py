"""The business objects API: one pair of endpoints serves every type, read from its definition; scoped like the pages
(a record or customer outside the caller's scope answers 404) and a missing or invalid field answers 422 naming it
(`reasons` lists the refused fields, `detail` each with its message)."""
from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from brokercrm.core.api_errors import errors
from brokercrm.core.errors import InputRejected
from brokercrm.core.paging import Paging
from brokercrm.objects import selectors, services

router = Router(tags=["objects"])


class ObjectRecordOut(Schema):
    number: str
    type: str
    state: str
    values: dict[str, Any]
    owner_staff_no: str | None
    branch_code: str | None
    due_on: str | None
    escalated: bool
    created_at: str
    updated_at: str


class ObjectRecordIn(Schema):
    values: dict[str, Any]


def _out(record) -> dict:
    return {"number": record.number, "type": record.object_type.code, "state": record.state, "values": record.values,
            "owner_staff_no": record.owner_staff.staff_no if record.owner_staff_id else None,
            "branch_code": record.branch.code if record.branch_id else None,
            "due_on": record.due_on.isoformat() if record.due_on else None, "escalated": record.escalated,
            "created_at": record.created_at.isoformat(), "updated_at": record.updated_at.isoformat()}


def _rejected(exc: InputRejected):
    """422: the refused fields as its reason codes, each with its message in the detail (`field: message; …`)."""
    return Status(422, {"detail": "; ".join(str(p) for p in exc.problems),
                        "reasons": list(dict.fromkeys(p.field or p.column for p in exc.problems))})


@router.get("/objects/{type_code}", response={200: list[ObjectRecordOut], **errors(400, 403, 404)})
def list_records(request, type_code: str, paging: Query[Paging], state: str = "", q: str = ""):
    """The records of a type in the caller's scope, newest first, a page at a time (404 for a type the caller may not read)."""
    object_type = selectors.type_get_readable(user=request.auth, code=type_code)
    records = selectors.record_list(user=request.auth, object_type=object_type, filters={"state": state, "q": q})
    return [_out(r) for r in records.select_related("object_type")[paging.offset:paging.offset + paging.limit]]


@router.post("/objects/{type_code}", response={201: ObjectRecordOut, **errors(400, 403, 404, 422)})
def create_record(request, type_code: str, payload: ObjectRecordIn):
    """Create a record from its values by field key (references by code: customer_no, staff_no, branch code, security code);
    422 naming each missing or invalid field, 404 for a customer outside the caller's scope."""
    object_type = selectors.type_get_readable(user=request.auth, code=type_code)
    try:
        record = services.record_create(actor=request.auth, object_type=object_type, raw=payload.values, today=timezone.localdate())
    except InputRejected as exc:
        return _rejected(exc)
    return Status(201, _out(record))


@router.get("/objects/{type_code}/{number}", response={200: ObjectRecordOut, **errors(403, 404)})
def get_record(request, type_code: str, number: str):
    """One record in the caller's scope (404 otherwise)."""
    object_type = selectors.type_get_readable(user=request.auth, code=type_code)
    return _out(selectors.record_get(user=request.auth, object_type=object_type, number=number))


@router.patch("/objects/{type_code}/{number}", response={200: ObjectRecordOut, **errors(400, 403, 404, 422)})
def patch_record(request, type_code: str, number: str, payload: ObjectRecordIn):
    """Change the values given (others stay); 422 naming each invalid field or one read-only in the record's state."""
    return _update(request, type_code, number, payload, partial=True)


@router.put("/objects/{type_code}/{number}", response={200: ObjectRecordOut, **errors(400, 403, 404, 422)})
def put_record(request, type_code: str, number: str, payload: ObjectRecordIn):
    """Replace the values (a required field left out answers 422 naming it)."""
    return _update(request, type_code, number, payload, partial=False)


def _update(request, type_code: str, number: str, payload: ObjectRecordIn, *, partial: bool):
    object_type = selectors.type_get_readable(user=request.auth, code=type_code)
    record = selectors.record_get(user=request.auth, object_type=object_type, number=number)
    try:
        record = services.record_update(actor=request.auth, record=record, raw=payload.values, partial=partial)
    except InputRejected as exc:
        return _rejected(exc)
    return _out(record)


@router.delete("/objects/{type_code}/{number}", response={204: None, **errors(400, 403, 404)})
def delete_record(request, type_code: str, number: str):
    """Delete a record in the caller's scope (its running process is withdrawn)."""
    object_type = selectors.type_get_readable(user=request.auth, code=type_code)
    services.record_delete(actor=request.auth, record=selectors.record_get(user=request.auth, object_type=object_type, number=number))
    return Status(204, None)
