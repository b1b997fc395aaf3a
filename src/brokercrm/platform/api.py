"""Custom field definitions over the API: everyone reads them, only an admin changes them."""
from typing import Any

from ninja import Router, Schema, Status

from brokercrm.core.api_errors import errors
from brokercrm.platform import selectors, services

router = Router(tags=["platform"])


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    required: bool
    default: Any = None
    help_text: str
    order: int
    active: bool


class CustomFieldIn(Schema):
    entity: str
    key: str
    label: str
    field_type: str
    choices: list[str] = []
    required: bool = False
    default: Any = None
    help_text: str = ""
    order: int | None = None


class CustomFieldPatch(Schema):
    label: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    default: Any = None
    help_text: str | None = None
    order: int | None = None
    active: bool | None = None


@router.get("/custom-fields", response={200: list[CustomFieldOut], **errors()}, summary="Custom field definitions")
def list_custom_fields(request, entity: str = ""):
    return list(selectors.custom_field_list(entity=entity))


@router.post("/custom-fields", response={201: CustomFieldOut, **errors(400, 403)}, summary="Add a custom field (admin)")
def create_custom_field(request, body: CustomFieldIn):
    return Status(201, services.custom_field_create(actor=request.auth, **body.dict()))


@router.patch("/custom-fields/{pk}", response={200: CustomFieldOut, **errors(400, 403, 404)}, summary="Change a custom field (admin); key, object and type stay fixed")
def update_custom_field(request, pk: int, body: CustomFieldPatch):
    changes = body.dict(exclude_unset=True)
    return services.custom_field_update(actor=request.auth, definition=selectors.custom_field_get(pk=pk), **changes)
