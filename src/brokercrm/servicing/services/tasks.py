"""Service tasks and visits (服务任务、回访): generation by the regulatory visit rules, assignment, outcome, spot-check."""
import calendar
import datetime as dt
import hashlib
import math
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from brokercrm.core.audit import audit_created_many, audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role, role_required
from brokercrm.customers.facade import customers_open_after, customers_opened
from brokercrm.datacenter.facade import TradingCalendar, latest_loaded_date, trading_calendar
from brokercrm.org.facade import (BRANCH_TASK_OVERRIDERS, CALL_CENTRE_AGENTS, SERVICE_CONFIGURERS, SERVICE_WORKERS, SPOT_CHECKERS,
                                  TASK_ASSIGNERS, TASK_OVERRIDERS, Staff)
from brokercrm.relations.facade import relations_of_departed_staff, responsible_staff
from brokercrm.servicing.models import Alert, RuleCode, ServiceTask, VisitPolicy
from brokercrm.servicing.segments import segment_parse


def add_month(day: dt.date) -> dt.date:
    """The same day next month, clipped to the month's end (a visit due 'within one month')."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def visit_due(cal: TradingCalendar, day: dt.date) -> dt.date:
    """A visit due by `day` falls due on the last trading day on or before it (never on a closed day).

    A year whose closures are not imported yet counts its weekdays, so a December account still gets its visit."""
    return cal.trading_day_on_or_before(day, provisional=True)


REPLAYED_WORLD_DAYS = 31


def business_today(today: dt.date | None = None) -> dt.date:
    """The business date work done now belongs to: today's trading day (on or before) on a live system; the latest
    loaded business date when the loaded data lies more than a month behind the wall clock (a replayed or demo world)."""
    today = today or timezone.localdate()
    loaded = latest_loaded_date()
    if loaded is not None and (today - loaded).days > REPLAYED_WORLD_DAYS:
        return loaded
    return trading_calendar().trading_day_on_or_before(today, provisional=True)


def sample_percent() -> int:
    return int(getattr(settings, "SERVICING_VISIT_SAMPLE_PERCENT", 10))


@dataclass(frozen=True)
class VisitGeneration:
    new_accounts: int
    existing: int
    departed: int
    rerouted: int


def _sample_order(year: int, customer_no: str) -> str:
    """A fixed pseudo-random order per year, so that regenerating picks the same customers."""
    return hashlib.sha256(f"{year}:{customer_no}".encode()).hexdigest()


@transaction.atomic
def visits_generate(*, as_of: dt.date, opened_from: dt.date | None = None, dormant: set[str] = frozenset()) -> VisitGeneration:
    """Regulatory visits (回访) as of a business date; generating again creates nothing twice.

    New accounts opened in [opened_from, as_of] are visited within a month of opening; each year at least
    SERVICING_VISIT_SAMPLE_PERCENT % of the customers open at the previous year-end (frozen and `dormant`
    excluded) get an existing-customer visit due by year-end; customers whose responsible staff member left
    get a visit, unassigned for the branch manager to give to someone. Open unassigned tasks are routed again.
    """
    existing_keys = set(ServiceTask.objects.filter(
        Q(kind__in=[ServiceTask.Kind.VISIT_NEW, ServiceTask.Kind.VISIT_DEPARTED])
        | Q(kind=ServiceTask.Kind.VISIT_EXISTING, source_key__startswith=f"visit_existing:{as_of.year}:")).values_list("source_key", flat=True))
    pending: list[ServiceTask] = []
    cal = trading_calendar()

    new_accounts = customers_opened(opened_from or as_of, as_of)
    year_end = dt.date(as_of.year - 1, 12, 31)
    population = customers_open_after(year_end, exclude_frozen=True, exclude_nos=dormant)
    routing = responsible_staff([c[0] for c in new_accounts] + [c[0] for c in population])

    for customer_id, customer_no, open_date in new_accounts:
        key = f"visit_new:{customer_no}"
        if key not in existing_keys:
            pending.append(ServiceTask(customer_id=customer_id, kind=ServiceTask.Kind.VISIT_NEW, title="New account visit",
                                       staff_id=routing.staff_on(customer_id, open_date), due_date=visit_due(cal, add_month(open_date)), source_key=key))
    new_count = len(pending)

    target = math.ceil(len(population) * sample_percent() / 100)
    have = sum(1 for k in existing_keys if k.startswith(f"visit_existing:{as_of.year}:"))
    for customer_id, customer_no in sorted(population, key=lambda c: _sample_order(as_of.year, c[1])):
        if have >= target:
            break
        key = f"visit_existing:{as_of.year}:{customer_no}"
        if key not in existing_keys:
            have += 1
            pending.append(ServiceTask(customer_id=customer_id, kind=ServiceTask.Kind.VISIT_EXISTING, title="Annual existing-customer visit",
                                       staff_id=routing.staff_on(customer_id, as_of), due_date=visit_due(cal, dt.date(as_of.year, 12, 31)), source_key=key))
    existing_count = len(pending) - new_count

    for customer_id, customer_no, staff_no, leave_date in relations_of_departed_staff(as_of):
        key = f"visit_departed:{staff_no}:{customer_no}"
        if key not in existing_keys:
            existing_keys.add(key)
            pending.append(ServiceTask(customer_id=customer_id, kind=ServiceTask.Kind.VISIT_DEPARTED, title="Visit: customer of departed staff",
                                       staff=None, due_date=visit_due(cal, add_month(leave_date)), source_key=key))
    departed_count = len(pending) - new_count - existing_count
    ServiceTask.objects.bulk_create(pending, batch_size=2000)
    if pending:
        audit_created_many(actor=None, instances=list(ServiceTask.objects.select_related("customer").filter(source_key__in=[t.source_key for t in pending])),
                           note="regulatory visit rules")
    return VisitGeneration(new_count, existing_count, departed_count, tasks_reroute(as_of=as_of))


def tasks_reroute(*, as_of: dt.date) -> int:
    """Give open unassigned tasks to the customer's responsible staff (departed-staff visits stay with the branch
    manager; alert follow-ups move with their alert, see alerts_reroute; the call centre's queue stays shared)."""
    unassigned = list(ServiceTask.objects.filter(status=ServiceTask.Status.OPEN, staff__isnull=True, call_centre=False)
                      .exclude(kind__in=[ServiceTask.Kind.VISIT_DEPARTED, ServiceTask.Kind.ALERT]).only("id", "customer_id"))
    routing = responsible_staff(t.customer_id for t in unassigned)
    changed = 0
    for task in unassigned:
        staff_id = routing.staff_on(task.customer_id, as_of)
        if staff_id is not None:
            ServiceTask.objects.filter(pk=task.pk).update(staff_id=staff_id)
            changed += 1
    return changed


@role_required(TASK_ASSIGNERS)
@transaction.atomic
def task_assign(*, actor, task: ServiceTask, staff: Staff, due_date: dt.date | None = None) -> ServiceTask:
    if task.status != ServiceTask.Status.OPEN:
        raise DomainError("only open tasks can be assigned", field="staff")
    if staff.leave_date is not None and staff.leave_date <= (due_date or task.due_date):
        raise DomainError(f"{staff.staff_no} has left", field="staff")
    before = snapshot(task)
    task.staff = staff
    if due_date is not None:
        task.due_date = due_date
    task.save()
    audit_record(actor=actor, action="update", instance=task, changes=diff(before, snapshot(task)))
    return task


def may_complete(*, actor, task: ServiceTask) -> bool:
    """The assignee completes their own task; someone else's needs their manager's role: head office or admin, or the
    branch manager of the assignee's branch. An unassigned task is anyone's in the branch queue (the system may)."""
    if actor is None or task.staff_id is None or task.staff_id == getattr(actor, "staff_id", None):
        return True
    if has_role(actor, TASK_OVERRIDERS):
        return True
    actor_branch = actor.branch_id or (actor.staff.branch_id if actor.staff_id else None)
    return actor.role in BRANCH_TASK_OVERRIDERS and actor_branch == task.staff.branch_id


@role_required(SERVICE_WORKERS)
@transaction.atomic
def task_complete(*, actor, task: ServiceTask, outcome: str, note: str = "", done_on: dt.date | None = None) -> ServiceTask:
    """Record the outcome of a task or visit; an alert follow-up resolves its alert too. Only the assignee or their
    manager (may_complete) records it. done_on is the business date of the work (default business_today())."""
    if not may_complete(actor=actor, task=task):
        raise PermissionDenied
    if task.status != ServiceTask.Status.OPEN:
        raise DomainError("this task is not open", field="outcome")
    if outcome not in ServiceTask.Outcome.values:
        raise DomainError(f"unknown outcome '{outcome}'", field="outcome")
    if task.is_visit and not note.strip():
        raise DomainError("a visit record needs a note of what was said", field="note")
    before = snapshot(task)
    task.status, task.outcome, task.outcome_note = ServiceTask.Status.DONE, outcome, note.strip()
    today = business_today()
    if done_on is not None and done_on > today:
        raise DomainError(f"the work cannot be done after the business date {today}", field="done_on")
    task.done_at, task.done_by, task.done_on = timezone.now(), actor, done_on or today
    task.save()
    audit_record(actor=actor, action="update", instance=task, changes=diff(before, snapshot(task)))
    if task.alert_id and task.alert.status == Alert.Status.OPEN:
        alert = task.alert
        alert_before = snapshot(alert)
        alert.status, alert.outcome, alert.outcome_note = Alert.Status.RESOLVED, _ALERT_OUTCOME.get(outcome, Alert.Outcome.CONTACTED), note.strip()
        alert.resolved_by, alert.resolved_at = actor, timezone.now()
        alert.save()
        audit_record(actor=actor, action="update", instance=alert, changes=diff(alert_before, snapshot(alert)))
    return task


_ALERT_OUTCOME = {"unreachable": "unreachable", "declined": "contacted", "complaint": "escalated"}


@role_required(SPOT_CHECKERS)
@transaction.atomic
def task_spot_check(*, actor, task: ServiceTask, passed: bool, note: str = "") -> ServiceTask:
    """A second person's check (抽查) of a done visit: never the one who did it."""
    if task.status != ServiceTask.Status.DONE:
        raise DomainError("only done tasks can be spot-checked", field="passed")
    if task.done_by_id is not None and task.done_by_id == getattr(actor, "pk", None):
        raise DomainError("the spot-check must be done by a second person", field="passed")
    if actor is not None and getattr(actor, "staff_id", None) and actor.staff_id == task.staff_id:
        raise DomainError("the spot-check must be done by a second person", field="passed")
    before = snapshot(task)
    task.check_status = ServiceTask.Check.PASSED if passed else ServiceTask.Check.FAILED
    task.checked_by, task.checked_at, task.check_note = actor, timezone.now(), note.strip()
    task.save()
    audit_record(actor=actor, action="update", instance=task, changes=diff(before, snapshot(task)))
    return task


@role_required(CALL_CENTRE_AGENTS)
@transaction.atomic
def task_take(*, actor, task: ServiceTask) -> ServiceTask:
    """A service agent takes an open task from the call centre's shared queue: it becomes theirs (and visible to them)."""
    locked = ServiceTask.objects.select_for_update().get(pk=task.pk)
    if not locked.call_centre or locked.status != ServiceTask.Status.OPEN:
        raise DomainError("this task is not in the call-centre queue", field="task")
    if locked.staff_id is not None:
        raise DomainError("another agent has taken this task", field="task")
    if not actor.staff_id:
        raise DomainError("your user is not tied to a staff member", field="task")
    before = snapshot(locked)
    locked.staff_id = actor.staff_id
    locked.save(update_fields=["staff", "updated_at"])
    audit_record(actor=actor, action="update", instance=locked, changes=diff(before, snapshot(locked)))
    return locked


@role_required(SERVICE_WORKERS)
@transaction.atomic
def task_create(*, actor, customer_id: int, title: str, due_date: dt.date, staff_id: int | None = None,
                kind: str = ServiceTask.Kind.MANUAL, call_centre: bool = False) -> ServiceTask:
    """A task created by hand (the 360 page, a call's follow-up); assigned to the given staff member, else to the actor's."""
    if not title.strip():
        raise DomainError("is required", field="title")
    if due_date < business_today():
        raise DomainError(f"the due date lies before the business date {business_today()}", field="due_date")
    staff_id = staff_id or getattr(actor, "staff_id", None)
    task = ServiceTask(customer_id=customer_id, kind=kind, title=title.strip()[:200], staff_id=staff_id, due_date=due_date,
                       source_key=f"manual:{uuid.uuid4().hex}", call_centre=call_centre and staff_id is None)
    task.full_clean()
    task.save()
    audit_record(actor=actor, action="create", instance=task, changes=diff({}, snapshot(task)))
    return task


CARE_FIELDS = {"care_birthdays", "care_anniversaries", "care_holidays", "care_drop_percent", "care_drop_days", "care_drop_min_assets"}


def visit_policy() -> VisitPolicy:
    policy, _ = VisitPolicy.objects.get_or_create(pk=1)
    return policy


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def visit_policy_update(*, actor, key_segment: str, key_frequency: str, exception_rules: list[str],
                        exception_due_days: int, **care) -> VisitPolicy:
    """Change which key-customer and exception visits (and, given, which care) the visits step generates (head office)."""

    if key_segment.strip():
        try:
            segment_parse(key_segment)
        except DomainError as exc:
            raise DomainError(exc.message, field="key_segment") from None
    unknown = [r for r in exception_rules if r not in RuleCode.values]
    if unknown:
        raise DomainError(f"unknown alert rule(s): {', '.join(unknown)}", field="exception_rules")
    if key_frequency not in VisitPolicy.Frequency.values:
        raise DomainError(f"unknown frequency '{key_frequency}'", field="key_frequency")
    policy = visit_policy()
    before = snapshot(policy)
    policy.key_segment, policy.key_frequency = key_segment.strip(), key_frequency
    policy.exception_rules, policy.exception_due_days = sorted(set(exception_rules)), exception_due_days
    unknown = sorted(set(care) - CARE_FIELDS)
    if unknown:
        raise DomainError(f"unknown care setting(s): {', '.join(unknown)}", field="care")
    for name, value in care.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    audit_record(actor=actor, action="update", instance=policy, changes=diff(before, snapshot(policy)))
    return policy


def period_end(frequency: str, day: dt.date) -> dt.date:
    """The last day of the month, quarter or year containing day."""
    last_month = {"monthly": day.month, "quarterly": (day.month - 1) // 3 * 3 + 3, "yearly": 12}[frequency]
    return dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


@dataclass(frozen=True)
class PolicyVisits:
    key: int
    exception: int


@transaction.atomic
def policy_visits_generate(*, as_of: dt.date, dates: list[dt.date] = (), key_customers: list[tuple[int, str]] | None = None) -> PolicyVisits:
    """Key-customer visits (the policy's segment, once per period, due by the period's end) and exception visits (one per
    alert of the chosen rules raised on `dates`, due after the configured trading days, for the alert's staff).

    key_customers: (customer_id, customer_no) of the key segment on as_of (the visits step reads them through the
    segment code); None when there is no key segment.
    """
    policy = visit_policy()
    cal = trading_calendar()
    pending: list[ServiceTask] = []
    if key_customers:
        end = period_end(policy.key_frequency, as_of)
        label = {"monthly": f"{as_of:%Y-%m}", "quarterly": f"{as_of.year}-Q{(as_of.month - 1) // 3 + 1}",
                 "yearly": str(as_of.year)}[policy.key_frequency]
        existing = set(ServiceTask.objects.filter(source_key__startswith=f"visit_key:{label}:").values_list("source_key", flat=True))
        routing = responsible_staff(c[0] for c in key_customers)
        for customer_id, customer_no in key_customers:
            key = f"visit_key:{label}:{customer_no}"
            if key not in existing:
                pending.append(ServiceTask(customer_id=customer_id, kind=ServiceTask.Kind.VISIT_KEY, title="Key-customer visit",
                                           staff_id=routing.staff_on(customer_id, as_of), due_date=visit_due(cal, end), source_key=key))
    key_count = len(pending)
    if policy.exception_rules and dates:
        alerts = Alert.objects.filter(biz_date__in=list(dates), rule__in=policy.exception_rules).select_related("customer")
        existing = set(ServiceTask.objects.filter(kind=ServiceTask.Kind.VISIT_EXCEPTION,
                                                  source_key__in=[f"visit_exception:{a.rule}:{a.pk}" for a in alerts])
                       .values_list("source_key", flat=True))
        for a in alerts:
            key = f"visit_exception:{a.rule}:{a.pk}"
            if key not in existing:
                pending.append(ServiceTask(customer_id=a.customer_id, kind=ServiceTask.Kind.VISIT_EXCEPTION,
                                           title=f"Exception visit: {a.get_rule_display()}", staff_id=a.staff_id,
                                           due_date=cal.add_trading_days(a.biz_date, policy.exception_due_days, provisional=True),
                                           source_key=key))
    ServiceTask.objects.bulk_create(pending, batch_size=2000)
    if pending:
        audit_created_many(actor=None, instances=list(ServiceTask.objects.select_related("customer").filter(source_key__in=[t.source_key for t in pending])),
                           note="visit policy")
    return PolicyVisits(key_count, len(pending) - key_count)
