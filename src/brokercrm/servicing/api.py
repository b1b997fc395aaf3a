"""API for the call centre (screen pop, call records, outbound call lists) and task lists; every answer within scope."""
import datetime as dt

from ninja import Router, Schema, Status

from brokercrm.core.api_errors import errors
from brokercrm.core.masking import mask_mobile
from brokercrm.customers.facade import customer_get, scope_date
from brokercrm.org.facade import Staff
from brokercrm.relations.facade import responsible_staff
from brokercrm.servicing import selectors
from brokercrm.servicing.models import Alert, ServiceTask
from brokercrm.servicing.services.calls import call_record
from brokercrm.servicing.services.outbox import opt_out_set
from brokercrm.servicing.services.tasks import task_complete

router = Router(tags=["servicing"])


class ServiceTaskOut(Schema):
    id: int
    customer_no: str
    customer_name: str
    kind: str
    title: str
    staff_no: str | None
    due_date: dt.date
    status: str
    outcome: str
    phone: str


class AlertOut(Schema):
    id: int
    customer_no: str
    rule: str
    biz_date: dt.date
    staff_no: str | None
    status: str
    details: dict


class CustomerCard(Schema):
    customer_no: str
    name: str
    branch_code: str
    status: str
    risk_level: str
    mobile: str
    responsible_staff: str | None
    open_alerts: list[AlertOut]
    open_tasks: list[ServiceTaskOut]


class CallIn(Schema):
    customer_no: str
    direction: str
    phone: str
    started_at: dt.datetime
    duration_seconds: int
    outcome: str
    note: str = ""
    task_id: int | None = None


class CallOut(Schema):
    id: int
    customer_no: str
    direction: str
    started_at: dt.datetime
    duration_seconds: int
    outcome: str


class TaskDoneIn(Schema):
    outcome: str
    note: str = ""


def _task_out(t: ServiceTask) -> dict:
    return {"id": t.pk, "customer_no": t.customer.customer_no, "customer_name": t.customer.name, "kind": t.kind, "title": t.title,
            "staff_no": t.staff.staff_no if t.staff else None, "due_date": t.due_date, "status": t.status, "outcome": t.outcome,
            "phone": mask_mobile(t.customer.mobile)}


def _alert_out(a: Alert) -> dict:
    return {"id": a.pk, "customer_no": a.customer.customer_no, "rule": a.rule, "biz_date": a.biz_date,
            "staff_no": a.staff.staff_no if a.staff else None, "status": a.status, "details": a.details}


@router.get("/callcentre/screen-pop", response={200: CustomerCard, **errors(400, 404, 429)})
def screen_pop(request, number: str):
    """The caller's customer card for the agent: 404 when no customer with this number is in the caller's scope."""
    customer = selectors.customer_by_phone(user=request.auth, phone=number)
    alerts = selectors.alert_list(user=request.auth, status=Alert.Status.OPEN).filter(customer=customer)[:20]
    tasks = selectors.task_list(user=request.auth, status=ServiceTask.Status.OPEN).filter(customer=customer)[:20]
    staff_id = responsible_staff([customer.pk]).staff_on(customer.pk, scope_date())
    relation_staff = Staff.objects.filter(pk=staff_id).values_list("staff_no", flat=True).first() if staff_id else None
    return {"customer_no": customer.customer_no, "name": customer.name, "branch_code": customer.branch.code, "status": customer.status,
            "risk_level": customer.risk_level, "mobile": mask_mobile(customer.mobile), "responsible_staff": relation_staff,
            "open_alerts": [_alert_out(a) for a in alerts], "open_tasks": [_task_out(t) for t in tasks]}


@router.post("/callcentre/calls", response={201: CallOut, **errors(400, 403, 404)})
def create_call(request, payload: CallIn):
    customer = customer_get(user=request.auth, customer_no=payload.customer_no)
    task = selectors.task_get(user=request.auth, task_id=payload.task_id) if payload.task_id else None
    call = call_record(actor=request.auth, customer=customer, direction=payload.direction, phone=payload.phone,
                       started_at=payload.started_at, duration_seconds=payload.duration_seconds, outcome=payload.outcome,
                       note=payload.note, task=task)
    return Status(201, {"id": call.pk, "customer_no": customer.customer_no, "direction": call.direction, "started_at": call.started_at,
                 "duration_seconds": call.duration_seconds, "outcome": call.outcome})


@router.get("/callcentre/calls", response={200: list[CallOut], **errors()})
def list_calls(request, customer_no: str = ""):
    calls = selectors.call_list(user=request.auth)
    if customer_no:
        calls = calls.filter(customer__customer_no=customer_no)
    return [{"id": c.pk, "customer_no": c.customer.customer_no, "direction": c.direction, "started_at": c.started_at,
             "duration_seconds": c.duration_seconds, "outcome": c.outcome} for c in calls[:500]]


@router.get("/callcentre/outbound", response={200: list[ServiceTaskOut], **errors()})
def outbound_calls(request):
    """The caller's outbound call list: their open tasks, earliest due first, with the number to dial (masked)."""
    tasks = selectors.task_list(user=request.auth, status=ServiceTask.Status.OPEN, mine=True).order_by("due_date", "id")[:500]
    return [_task_out(t) for t in tasks]


@router.get("/service/tasks", response={200: list[ServiceTaskOut], **errors(400)})
def list_tasks(request, status: str = "open", kind: str = "", mine: bool = False):
    tasks = selectors.task_list(user=request.auth, status=status if status != "all" else "", kind=kind, mine=mine)[:1000]
    return [_task_out(t) for t in tasks]


@router.post("/service/tasks/{task_id}/done", response={200: ServiceTaskOut, **errors(400, 403, 404)})
def complete_task(request, task_id: int, payload: TaskDoneIn):
    task = task_complete(actor=request.auth, task=selectors.task_get(user=request.auth, task_id=task_id), outcome=payload.outcome,
                         note=payload.note)
    return _task_out(task)


@router.get("/service/alerts", response={200: list[AlertOut], **errors()})
def list_alerts(request, status: str = "open", rule: str = ""):
    return [_alert_out(a) for a in selectors.alert_list(user=request.auth, status=status if status != "all" else "", rule=rule)[:1000]]


class OptOutIn(Schema):
    customer_no: str
    channel: str
    opted_out: bool


@router.post("/service/opt-outs", response={200: OptOutIn, **errors(400, 403, 404)})
def set_opt_out(request, payload: OptOutIn):
    """Record a customer's opt-out (退订) from a channel, e.g. from the SMS gateway's STOP replies or the portal."""
    customer = customer_get(user=request.auth, customer_no=payload.customer_no)
    opt_out_set(actor=request.auth, customer=customer, channel=payload.channel, opted_out=payload.opted_out)
    return payload
