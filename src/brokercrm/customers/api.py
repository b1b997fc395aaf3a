"""Customer API: search and profile (masked), prospects CRUD, tags, custom field values; every answer within scope."""
import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema, Status

from brokercrm.core.api_errors import errors
from brokercrm.core.errors import DomainError
from brokercrm.core.masking import mask_email, mask_id_no, mask_mobile
from brokercrm.core.paging import Paging
from brokercrm.customers import prospect_selectors, prospect_services, selectors, services
from brokercrm.customers.selectors import CustomerFilters
from brokercrm.org.facade import branch_get, staff_list

router = Router(tags=["customers"])


class CustomerOut(Schema):
    customer_no: str
    name: str
    branch_code: str
    status: str
    risk_level: str
    open_date: dt.date
    close_date: dt.date | None
    mobile: str
    id_no: str
    period: str | None
    end_assets: Decimal | None
    tags: list[str]


class CustomerDetailOut(CustomerOut):
    customer_type: str
    email: str
    risk_assessed_on: dt.date | None
    suitability_stale: bool
    custom_fields: dict[str, Any]


class CustomerPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[CustomerOut]


class CustomerQuery(Paging):
    q: str = ""
    branch: str = ""
    staff: str = ""
    risk_level: str = ""
    status: str = ""
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    assets_min: Decimal | None = None
    assets_max: Decimal | None = None
    tag: str = ""
    sort: str = "customer_no"


def _customer_out(c, tags: list[str]) -> dict:
    figures = getattr(c, "figures", None)
    return {"customer_no": c.customer_no, "name": c.name, "branch_code": c.branch.code, "status": c.status,
            "risk_level": c.risk_level, "open_date": c.open_date, "close_date": c.close_date, "mobile": mask_mobile(c.mobile),
            "id_no": mask_id_no(c.id_no), "period": figures.period if figures else None,
            "end_assets": figures.end_assets if figures else None, "tags": tags}


@router.get("/customers", response={200: CustomerPage, **errors(400, 429)}, summary="Search customers (masked) by customer_no, name, mobile or ID number")
def list_customers(request, params: Query[CustomerQuery]):
    """`q` matches customer_no (exact or prefix), name (prefix; contained for 3+ characters), mobile (full or last four
    digits) or ID number (full or last four characters); the results are the union, within the caller's scope."""
    limit, offset = params.limit, params.offset
    filters = CustomerFilters(**{k: v for k, v in params.dict().items() if k not in ("limit", "offset") and v not in ("", None)})
    qs = selectors.customer_search(user=request.auth, filters=filters)
    page = list(qs[offset:offset + limit])
    tags = selectors.tags_by_customer(c.pk for c in page)
    return {"count": qs.count(), "limit": limit, "offset": offset, "results": [_customer_out(c, tags.get(c.pk, [])) for c in page]}


@router.get("/customers/{customer_no}", response={200: CustomerDetailOut, **errors(404)}, summary="One customer's profile (masked) and custom fields")
def get_customer(request, customer_no: str):
    c = selectors.customer_get(user=request.auth, customer_no=customer_no)
    c = selectors.customer_list(user=request.auth).select_related("figures").get(pk=c.pk)
    return {**_customer_out(c, selectors.customer_tags(customer=c)), "customer_type": c.customer_type, "email": mask_email(c.email),
            "risk_assessed_on": c.risk_assessed_on, "suitability_stale": selectors.suitability(customer=c).stale,
            "custom_fields": c.custom_fields}


class TagIn(Schema):
    tag: str


@router.get("/tags", response={200: list[str], **errors()}, summary="All tag names")
def list_tags(request):
    return list(selectors.tag_list().values_list("name", flat=True))


@router.post("/customers/{customer_no}/tags", response={200: list[str], **errors(400, 403, 404)}, summary="Tag a customer")
def add_tag(request, customer_no: str, body: TagIn):
    customer = selectors.customer_get(user=request.auth, customer_no=customer_no)
    services.customer_tag_add(actor=request.auth, customers=[customer], tag_name=body.tag)
    return selectors.customer_tags(customer=customer)


@router.delete("/customers/{customer_no}/tags/{tag}", response={200: list[str], **errors(400, 403, 404)}, summary="Remove a tag from a customer")
def remove_tag(request, customer_no: str, tag: str):
    customer = selectors.customer_get(user=request.auth, customer_no=customer_no)
    services.customer_tag_remove(actor=request.auth, customer=customer, tag_name=tag)
    return selectors.customer_tags(customer=customer)


@router.patch("/customers/{customer_no}/custom-fields", response={200: dict[str, Any], **errors(400, 403, 404)}, summary="Set custom field values of a customer")
def set_customer_fields(request, customer_no: str, body: Body[dict[str, Any]]):
    """Only the keys given change; an empty value clears a field; every value is validated against its definition."""
    customer = selectors.customer_get(user=request.auth, customer_no=customer_no)
    return services.customer_custom_fields_set(actor=request.auth, customer=customer, values=body).custom_fields


class ProspectIn(Schema):
    name: str
    branch_code: str
    mobile: str = ""
    id_type: str = ""
    id_no: str = ""
    email: str = ""
    staff_no: str | None = None
    source: str = ""
    custom_fields: dict[str, Any] = {}


class ProspectPatch(Schema):
    name: str | None = None
    mobile: str | None = None
    id_type: str | None = None
    id_no: str | None = None
    email: str | None = None
    branch_code: str | None = None
    staff_no: str | None = None
    source: str | None = None
    status: str | None = None
    custom_fields: dict[str, Any] | None = None


class ProspectOut(Schema):
    id: int
    name: str
    mobile: str
    id_no: str
    branch_code: str
    staff_no: str | None
    source: str
    status: str
    converted_customer_no: str | None
    merged_into: int | None
    custom_fields: dict[str, Any]


def _prospect_out(p) -> dict:
    return {"id": p.pk, "name": p.name, "mobile": mask_mobile(p.mobile), "id_no": mask_id_no(p.id_no), "branch_code": p.branch.code,
            "staff_no": p.staff.staff_no if p.staff else None, "source": p.source, "status": p.status,
            "converted_customer_no": p.converted_customer.customer_no if p.converted_customer else None,
            "merged_into": p.merged_into_id, "custom_fields": p.custom_fields}


def _branch(request, code: str):
    try:
        return branch_get(user=request.auth, code=code)
    except Exception:
        raise DomainError(_("unknown branch or outside your scope"), field="branch_code") from None


def _staff(request, staff_no: str | None):
    if not staff_no:
        return None
    member = staff_list(user=request.auth).filter(staff_no=staff_no).first()
    if member is None:
        raise DomainError(_("unknown staff member or outside your scope"), field="staff_no")
    return member


@router.get("/prospects", response={200: list[ProspectOut], **errors(400)}, summary="Prospects in scope")
def list_prospects(request, paging: Query[Paging], q: str = "", status: str = "", branch: str = ""):
    qs = prospect_selectors.prospect_list(user=request.auth, query=q, status=status, branch=branch)
    return [_prospect_out(p) for p in qs[paging.offset:paging.offset + paging.limit]]


@router.post("/prospects", response={201: ProspectOut, **errors(400, 403)}, summary="Create a prospect")
def create_prospect(request, body: ProspectIn):
    p = prospect_services.prospect_create(actor=request.auth, name=body.name, branch=_branch(request, body.branch_code),
                                          mobile=body.mobile, id_type=body.id_type, id_no=body.id_no, email=body.email,
                                          staff=_staff(request, body.staff_no), source=body.source, custom_fields=body.custom_fields)
    return Status(201, _prospect_out(p))


@router.get("/prospects/{pk}", response={200: ProspectOut, **errors(400, 404)}, summary="One prospect")
def get_prospect(request, pk: int):
    return _prospect_out(prospect_selectors.prospect_get(user=request.auth, pk=pk))


@router.patch("/prospects/{pk}", response={200: ProspectOut, **errors(400, 403, 404)}, summary="Change, assign or set the status of a prospect")
def update_prospect(request, pk: int, body: ProspectPatch):
    prospect = prospect_selectors.prospect_get(user=request.auth, pk=pk)
    changes = {k: v for k, v in body.dict(exclude_unset=True).items()}
    if "branch_code" in changes:
        changes["branch"] = _branch(request, changes.pop("branch_code"))
    if "staff_no" in changes:
        changes["staff"] = _staff(request, changes.pop("staff_no"))
    p = prospect_services.prospect_update(actor=request.auth, prospect=prospect, **changes)
    return _prospect_out(prospect_selectors.prospect_get(user=request.auth, pk=p.pk))


@router.delete("/prospects/{pk}", response={204: None, **errors(400, 403, 404)}, summary="Delete a prospect entered by mistake")
def delete_prospect(request, pk: int):
    prospect_services.prospect_delete(actor=request.auth, prospect=prospect_selectors.prospect_get(user=request.auth, pk=pk))
    return Status(204, None)


class NoteIn(Schema):
    text: str
    next_contact_on: dt.date | None = None


@router.post("/prospects/{pk}/notes", response={201: dict, **errors(400, 403, 404)}, summary="Add a follow-up note")
def add_note(request, pk: int, body: NoteIn):
    note = prospect_services.prospect_note_add(actor=request.auth, prospect=prospect_selectors.prospect_get(user=request.auth, pk=pk),
                                               text=body.text, next_contact_on=body.next_contact_on)
    return Status(201, {"id": note.pk, "text": note.text, "next_contact_on": note.next_contact_on})
