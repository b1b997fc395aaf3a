"""Alerts (异动提醒): rule configuration, raising from the rules' candidates, resolving with an outcome."""
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from brokercrm.core.audit import audit_created_many, audit_record, diff, snapshot
from brokercrm.core.bulk import insert_instances
from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.permissions import role_required
from brokercrm.customers.facade import customer_ids_by_no
from brokercrm.datacenter.facade import trading_calendar
from brokercrm.org.facade import SERVICE_CONFIGURERS, SERVICE_WORKERS
from brokercrm.relations.facade import responsible_staff
from brokercrm.servicing import rules
from brokercrm.servicing.models import Alert, AlertRule, RuleCode, ServiceTask

ALERT_TASK_DUE_DAYS = 3  # trading days after the alert's business date


def effective_rules() -> dict[str, dict]:
    """{code: parsed parameters} of every enabled rule; stored parameters override the defaults."""
    stored = {r.code: r for r in AlertRule.objects.all()}
    result = {}
    for code in rules.DEFAULTS:
        row = stored.get(code)
        if row is not None and not row.enabled:
            continue
        params, _ = rules.parse_parameters(code, row.parameters if row else {})
        result[code] = params
    return result


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def alert_rule_update(*, actor, code: str, enabled: bool, parameters: dict[str, str]) -> AlertRule:
    """Configure one rule; every bad parameter is named and nothing is saved."""
    if code not in rules.DEFAULTS:
        raise DomainError(f"unknown rule '{code}'", field="code")
    _, problems = rules.parse_parameters(code, parameters)
    if problems:
        raise InputRejected(problems)
    cleaned = {k: str(v).strip() for k, v in parameters.items()}
    rule, created = AlertRule.objects.get_or_create(code=code, defaults={"enabled": enabled, "parameters": cleaned})
    before = {} if created else snapshot(rule)
    rule.enabled, rule.parameters = enabled, cleaned
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="create" if created else "update", instance=rule, changes=diff(before, snapshot(rule)))
    return rule


@dataclass(frozen=True)
class RaiseResult:
    alerts: int
    tasks: int
    duplicates: int


@transaction.atomic
def alerts_raise(*, candidates: list[rules.Candidate]) -> RaiseResult:
    """Store new alerts (one per customer, rule and day: re-running is a no-op), routed, each with a follow-up task."""
    if not candidates:
        return RaiseResult(0, 0, 0)
    customers = customer_ids_by_no(c.customer_no for c in candidates)
    routing = responsible_staff(customers.values())
    days = {c.biz_date for c in candidates}
    existing = set(Alert.objects.filter(biz_date__in=days, customer_id__in=customers.values()).values_list("customer_id", "rule", "biz_date"))
    fresh = []
    for c in candidates:
        customer_id = customers.get(c.customer_no)
        if customer_id is None or (customer_id, c.rule, c.biz_date) in existing:
            continue
        existing.add((customer_id, c.rule, c.biz_date))
        fresh.append(Alert(customer_id=customer_id, rule=c.rule, biz_date=c.biz_date, details=c.details,
                           staff_id=routing.staff_on(customer_id, c.biz_date)))
    insert_instances(Alert, fresh)
    created = list(Alert.objects.filter(biz_date__in=days, task__isnull=True, status=Alert.Status.OPEN,
                                        customer_id__in={a.customer_id for a in fresh}).select_related("customer"))
    labels = dict(RuleCode.choices)
    cal = trading_calendar()
    tasks = [ServiceTask(customer_id=a.customer_id, kind=ServiceTask.Kind.ALERT, title=str(labels[a.rule])[:200], staff_id=a.staff_id,
                         due_date=cal.add_trading_days(a.biz_date, ALERT_TASK_DUE_DAYS, provisional=True), source_key=f"alert:{a.id}", alert=a)
             for a in created]
    insert_instances(ServiceTask, tasks)
    audit_created_many(actor=None, instances=created, note="alert rules")
    return RaiseResult(len(fresh), len(tasks), len(candidates) - len(fresh))


@role_required(SERVICE_WORKERS)
@transaction.atomic
def alert_resolve(*, actor, alert: Alert, outcome: str, note: str = "") -> Alert:
    """Close an alert with its outcome; its follow-up task is done with it."""
    if alert.status == Alert.Status.RESOLVED:
        raise DomainError("this alert is already resolved", field="outcome")
    if outcome not in Alert.Outcome.values:
        raise DomainError(f"unknown outcome '{outcome}'", field="outcome")
    before = snapshot(alert)
    alert.status, alert.outcome, alert.outcome_note = Alert.Status.RESOLVED, outcome, note.strip()
    alert.resolved_by, alert.resolved_at = actor, timezone.now()
    alert.save()
    audit_record(actor=actor, action="update", instance=alert, changes=diff(before, snapshot(alert)))
    task = ServiceTask.objects.filter(alert=alert, status=ServiceTask.Status.OPEN).first()
    if task is not None:
        task_before = snapshot(task)
        task.status, task.outcome, task.outcome_note = ServiceTask.Status.DONE, ServiceTask.Outcome.COMPLETED, note.strip()
        task.done_at, task.done_by = timezone.now(), actor
        task.save()
        audit_record(actor=actor, action="update", instance=task, changes=diff(task_before, snapshot(task)))
    return alert


def alerts_reroute() -> int:
    """Route every alert again by the relations now on record for its biz_date (relations may be imported after a load).

    An open follow-up task moves with its alert unless someone assigned it to another person by hand.
    """
    changed = 0
    customer_ids = list(Alert.objects.values_list("customer_id", flat=True).distinct().order_by("customer_id"))
    for start in range(0, len(customer_ids), 5000):
        chunk = customer_ids[start:start + 5000]
        routing = responsible_staff(chunk)
        moved: list[Alert] = []
        for alert in Alert.objects.filter(customer_id__in=chunk).only("id", "customer_id", "biz_date", "staff_id"):
            staff_id = routing.staff_on(alert.customer_id, alert.biz_date)
            if staff_id != alert.staff_id:
                old = alert.staff_id
                alert.staff_id = staff_id
                moved.append(alert)
                ServiceTask.objects.filter(alert_id=alert.pk, status=ServiceTask.Status.OPEN).filter(
                    Q(staff_id__isnull=True) | Q(staff_id=old)).update(staff_id=staff_id)
        with transaction.atomic():
            Alert.objects.bulk_update(moved, ["staff"], batch_size=2000)
        changed += len(moved)
    return changed
