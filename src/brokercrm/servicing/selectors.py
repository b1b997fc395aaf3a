"""Reads of the servicing app, each narrowed by the customer data scope (customers.selectors.customer_scope_q)."""
import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from brokercrm.core.audit import audit_record
from brokercrm.core.masking import mask_mobile
from brokercrm.customers.facade import customer_by_mobile, customer_scope_q, identity_search_record
from brokercrm.core.permissions import has_role
from brokercrm.org.facade import CALL_CENTRE_AGENTS, Role, scope_for
from brokercrm.servicing.models import Advice, Alert, AlertRule, CallRecord, ModelPortfolio, OutboxMessage, ServiceTask, Strategy


def alert_list(*, user, status: str = "", rule: str = "", mine: bool = False) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("customer", "staff").filter(customer_scope_q(user, prefix="customer__"))
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule=rule)
    if mine:
        qs = qs.filter(staff_id=scope_for(user).own_staff_id)
    return qs


def alert_get(*, user, alert_id: int) -> Alert:
    return get_object_or_404(alert_list(user=user), pk=alert_id)


def task_visible_q(user) -> Q:
    """Tasks of customers in the user's scope, every task assigned to the user whatever their relations, and for
    service agents the call centre's open queue."""
    scope = scope_for(user)
    visible = customer_scope_q(user, prefix="customer__")
    if scope.own_staff_id:
        visible |= Q(staff_id=scope.own_staff_id)
    if has_role(user, CALL_CENTRE_AGENTS):
        visible |= Q(call_centre=True, staff__isnull=True, status=ServiceTask.Status.OPEN)
    return visible


def task_list(*, user, status: str = "", kind: str = "", mine: bool = False, visits_only: bool = False) -> QuerySet[ServiceTask]:
    qs = ServiceTask.objects.select_related("customer", "staff", "alert", "done_by", "checked_by").filter(task_visible_q(user))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if visits_only:
        qs = qs.filter(kind__in=ServiceTask.VISIT_KINDS)
    if mine:
        qs = qs.filter(staff_id=scope_for(user).own_staff_id)
    return qs


def task_get(*, user, task_id: int) -> ServiceTask:
    return get_object_or_404(task_list(user=user), pk=task_id)


def call_queue(*, user) -> QuerySet[ServiceTask]:
    """The call centre's shared queue: open tasks nobody has taken, oldest due first (agents only)."""
    if not has_role(user, CALL_CENTRE_AGENTS):
        return ServiceTask.objects.none()
    return (ServiceTask.objects.select_related("customer", "strategy")
            .filter(call_centre=True, staff__isnull=True, status=ServiceTask.Status.OPEN).order_by("due_date", "id"))


def outbound_calls(*, user) -> QuerySet[ServiceTask]:
    """The agent's outbound call list: the open tasks assigned to them, due first."""
    staff_id = scope_for(user).own_staff_id
    if not staff_id:
        return ServiceTask.objects.none()
    return (ServiceTask.objects.select_related("customer", "strategy")
            .filter(staff_id=staff_id, status=ServiceTask.Status.OPEN).order_by("due_date", "id"))


def my_work(*, user, today: dt.date) -> dict:
    """"My work today": own open tasks due by today (overdue first), the next week's, and own open alerts."""
    staff_id = scope_for(user).own_staff_id
    tasks = task_list(user=user, status=ServiceTask.Status.OPEN).filter(staff_id=staff_id) if staff_id else ServiceTask.objects.none()
    return {
        "due": tasks.filter(due_date__lte=today).order_by("due_date", "id"),
        "upcoming": tasks.filter(due_date__gt=today, due_date__lte=today + dt.timedelta(days=7)).order_by("due_date", "id"),
        "alerts": alert_list(user=user, status=Alert.Status.OPEN, mine=True).order_by("-biz_date", "id") if staff_id else Alert.objects.none(),
    }


def outbox_list(*, user, status: str = "", channel: str = "") -> QuerySet[OutboxMessage]:
    """Messages about customers in scope; company-wide roles also see messages without a customer."""
    scope = scope_for(user)
    visible = customer_scope_q(user, prefix="customer__")
    if scope.everything:
        visible = Q()
    qs = OutboxMessage.objects.select_related("customer").filter(visible)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def outbox_counts(*, user) -> dict[str, int]:
    return dict(outbox_list(user=user).values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def strategy_list() -> QuerySet[Strategy]:
    """Strategies are company configuration, the same for every user."""
    return Strategy.objects.all()


def advice_list() -> QuerySet[Advice]:
    """Advice is company configuration (no customer data), the same for every overseer."""
    return Advice.objects.select_related("created_by", "decided_by")


def model_portfolios() -> QuerySet[ModelPortfolio]:
    return ModelPortfolio.objects.all()


def strategy_named(name: str) -> Strategy | None:
    return Strategy.objects.filter(name=name).first()


def visit_to_complete(*, staff_id: int | None, kind: str) -> ServiceTask | None:
    """An open task of the kind assigned to the staff member (None: to anyone), earliest due first (the demo completes one)."""
    qs = ServiceTask.objects.filter(kind=kind, status=ServiceTask.Status.OPEN)
    qs = qs.filter(staff_id=staff_id) if staff_id is not None else qs.filter(staff__isnull=False)
    return qs.order_by("due_date", "id").first()


def alert_rule_overrides() -> dict[str, AlertRule]:
    return {r.code: r for r in AlertRule.objects.all()}


def call_list(*, user) -> QuerySet[CallRecord]:
    return CallRecord.objects.select_related("customer", "user").filter(customer_scope_q(user, prefix="customer__"))


SERVICE_HISTORY_ROWS = 20


def customer_service_history(*, customer_id: int) -> dict:
    """The 360° page's service history (the customer already read through the scope): its latest alerts, tasks, calls
    and messages, each with the staff or user it names read in the same query."""
    n = SERVICE_HISTORY_ROWS
    return {"alerts": list(Alert.objects.filter(customer_id=customer_id).select_related("staff")[:n]),
            "tasks": list(ServiceTask.objects.filter(customer_id=customer_id).select_related("staff")[:n]),
            "calls": list(CallRecord.objects.filter(customer_id=customer_id).select_related("user")[:n]),
            "messages": list(OutboxMessage.objects.filter(customer_id=customer_id)[:n])}


def desk_card(*, user, customer) -> dict:
    """The masked customer card an agent works from (the caller checked access: a popped caller or a visible task's customer)."""
    return {"customer_no": customer.customer_no, "name": customer.name, "mobile": mask_mobile(customer.mobile),
            "branch": customer.branch, "risk_level": customer.risk_level, "status": customer.get_status_display(),
            "open_tasks": task_list(user=user, status=ServiceTask.Status.OPEN).filter(customer=customer).order_by("due_date")[:10],
            "calls": CallRecord.objects.filter(customer=customer).select_related("user")[:10]}


def customer_by_phone(*, user, phone: str):
    """Screen pop: the caller's customer card (404 when none is visible). Like a search by a full mobile number it is
    audited and limited per hour (customers' identity searches: RateLimited beyond the allowance).

    Service agents answer the call centre for the whole company: an incoming call brings its caller into
    their view (SPEC: "screen-popped callers"), and each such look-up is audited. Other roles keep their scope.
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    identity_search_record(user=user, query=digits)
    call_centre = getattr(user, "role", "") == Role.SERVICE_AGENT
    customer = customer_by_mobile(user=user, mobile=digits, company_wide=call_centre)
    if customer is None:
        raise Http404("no customer with this number in your scope")
    if call_centre:
        audit_record(actor=user, action="view", instance=customer, note=f"screen pop {digits[:3]}****{digits[-4:]}")
    return customer


def work_indicators(staff_nos: list[str], date_from: dt.date, date_to: dt.date) -> dict[str, dict[str, int]]:
    """Service workload per staff member: tasks done (any kind, visits included) and visits done, by the business date
    they were done on (done_on) in [from, to].

    A task counts for the staff member it was assigned to; every requested staff_no is in the answer (zeros included).
    """
    rows = (ServiceTask.objects.filter(status=ServiceTask.Status.DONE, staff__staff_no__in=staff_nos,
                                       done_on__gte=date_from, done_on__lte=date_to)
            .values("staff__staff_no")
            .annotate(tasks=Count("id"), visits=Count("id", filter=Q(kind__in=ServiceTask.VISIT_KINDS))))
    result = {no: {"visits_done": 0, "service_tasks_done": 0} for no in staff_nos}
    for row in rows:
        result[row["staff__staff_no"]] = {"visits_done": row["visits"], "service_tasks_done": row["tasks"]}
    return result


SERVICE_EVENTS = ("alerts_raised", "alerts_resolved", "tasks_due", "tasks_done", "visits_due", "visits_done",
                  "visits_due_done")


def service_events(*, date_from: dt.date, date_to: dt.date) -> list[tuple[str, str, str | None, str, dt.date]]:
    """Service work in [date_from, date_to] for the reports' service measures: (event, customer_no, staff_no, the
    customer's branch code, date). Alerts count on their business date (raised) and resolution date; tasks and visits
    on their due date (due, and `visits_due_done` when that visit is done) and their done date (done). The staff is
    the one the alert or task is routed to."""
    out: list[tuple[str, str, str | None, str, dt.date]] = []
    alerts = Alert.objects.values_list("customer__customer_no", "staff__staff_no", "customer__branch__code", "biz_date",
                                       "resolved_at")
    for no, staff, branch, day, resolved_at in alerts.filter(biz_date__gte=date_from, biz_date__lte=date_to):
        out.append(("alerts_raised", no, staff, branch, day))
    for no, staff, branch, _, resolved_at in alerts.filter(resolved_at__date__gte=date_from, resolved_at__date__lte=date_to):
        out.append(("alerts_resolved", no, staff, branch, resolved_at.date()))
    tasks = ServiceTask.objects.exclude(status=ServiceTask.Status.CANCELLED).values_list(
        "customer__customer_no", "staff__staff_no", "customer__branch__code", "due_date", "done_at", "kind", "status")
    for no, staff, branch, due, _, kind, status in tasks.filter(due_date__gte=date_from, due_date__lte=date_to):
        out.append(("tasks_due", no, staff, branch, due))
        if kind in ServiceTask.VISIT_KINDS:
            out.append(("visits_due", no, staff, branch, due))
            if status == ServiceTask.Status.DONE:
                out.append(("visits_due_done", no, staff, branch, due))
    for no, staff, branch, _, done_at, kind, status in tasks.filter(status=ServiceTask.Status.DONE, done_at__date__gte=date_from,
                                                                  done_at__date__lte=date_to):
        out.append(("tasks_done", no, staff, branch, done_at.date()))
        if kind in ServiceTask.VISIT_KINDS:
            out.append(("visits_done", no, staff, branch, done_at.date()))
    return out
