"""Level management (职级评定): rules over consecutive months, probation checks, changes approved through the
`level_change` process and the level in force on a day (what pay uses).

A rule is a formula of the shared language over one month: `score` (the month's score of the active monthly scheme),
every indicator of that month, and `next.<indicator>` (the next level's monthly targets). True in each of the last
`months` months — all of them at the staff member's current level — it proposes one level down (demote) or up
(promote); a demotion wins over a promotion. At the end of a probation its targets are checked against the sums over
the probation's months. Every proposal waits for the branch manager's approval and takes effect on the first day of the
month after the reviewed one; the history of approved changes is the level in force on any day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brokercrm.core.audit import audit_record
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.evaluation.indicators import INDICATORS, parse_period
from brokercrm.evaluation.marts import staff_indicators
from brokercrm.evaluation.models import LevelChange, LevelRule, ProbationRule
from brokercrm.evaluation.selectors import scheme_targets, staff_scores
from brokercrm.org.facade import APPROVAL_ESCALATION, EVALUATION_MANAGERS, Staff, User, staff_categories
from brokercrm.platform import facade as workflow
from brokercrm.platform.facade import Formula, FormulaError, HandlerContext, compile_formula

PROCESS = "level_change"
SHIPPED = Path(__file__).parent / "processes" / "level_change.bpmn"
LEVEL_KINDS = (LevelChange.Kind.DEMOTION, LevelChange.Kind.PROMOTION)


def rule_names() -> dict[str, str]:
    names = {"score": "number"}
    for ind in INDICATORS:
        names[ind.name] = "number"
        names[f"next.{ind.name}"] = "number"
    return names


def compile_rule(text: str) -> Formula:
    return compile_formula(text, rule_names())


@dataclass(frozen=True)
class LevelInForce:
    level_id: int | None
    code: str
    order: int
    since: dt.date


def month_label(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(month: str, count: int) -> list[str]:
    """The `count` months ending with `month`, oldest first."""
    year, mo = int(month[:4]), int(month[5:])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{mo:02d}")
        year, mo = (year, mo - 1) if mo > 1 else (year - 1, 12)
    return out[::-1]


def next_month_start(month: str) -> dt.date:
    return parse_period(month).end + dt.timedelta(days=1)


def levels_in_force(staff: list[Staff], day: dt.date) -> dict[int, LevelInForce]:
    """Each staff member's level on `day`: the latest approved change effective by then, else the level they were hired at."""
    latest: dict[int, LevelChange] = {}
    for change in (LevelChange.objects.filter(staff__in=staff, status=LevelChange.Status.APPROVED, kind__in=LEVEL_KINDS,
                                              effective_from__lte=day).select_related("level").order_by("effective_from", "id")):
        latest[change.staff_id] = change
    orders = {lv.id: n for c in staff_categories().values() for n, lv in enumerate(c.levels)}
    out = {}
    for s in staff:
        change = latest.get(s.pk)
        level = change.level if change else s.level
        out[s.pk] = LevelInForce(level.pk if level else None, level.code if level else "", orders.get(level.pk, 0) if level else 0,
                                 change.effective_from if change else s.hire_date)
    return out


def _month_values(months: list[str], staff: list[Staff], need_indicators: bool) -> dict[str, dict[int, dict]]:
    """month → staff id → {score, indicators…} (indicators only when a rule uses them)."""
    out = {}
    for month in months:
        scores = staff_scores(staff_ids=[s.pk for s in staff], month=month)
        values = staff_indicators(parse_period(month), [s.staff_no for s in staff]).values if need_indicators else {}
        out[month] = {s.pk: dict(values.get(s.staff_no, {})) | {"score": scores[s.pk][0] if s.pk in scores else None} for s in staff}
    return out


def _holds(formula: Formula, rows: list[dict]) -> bool:
    try:
        return all(formula.evaluate(row) is True for row in rows)
    except FormulaError:
        return False


@role_required(EVALUATION_MANAGERS)
@transaction.atomic
def level_review(*, actor, month: str) -> list[LevelChange]:
    """The monthly job: propose the level changes and probation results of `month` (effective next month), each sent
    for approval; a month reviewed again proposes nothing twice."""
    parsed = parse_period(month, field="month")
    if parsed.kind != "month":
        raise DomainError(f"'{month}' is not a month (YYYY-MM)", field="month")
    categories = {c.id: c for c in staff_categories().values()}
    effective = next_month_start(parsed.label)
    actor = applicant(actor)
    proposals: list[LevelChange] = []
    rules_by_category: dict[int, dict[str, tuple[LevelRule, Formula]]] = {}
    for rule in LevelRule.objects.filter(active=True):
        try:
            rules_by_category.setdefault(rule.category_id, {})[rule.kind] = (rule, compile_rule(rule.formula))
        except FormulaError as exc:
            raise DomainError(f"level rule {rule.kind} of {categories[rule.category_id].code}: column {exc.column}: {exc.message}",
                              field="formula") from None
    for category_id, rules in rules_by_category.items():
        staff = list(Staff.objects.filter(category_id=category_id, hire_date__lte=parsed.end)
                     .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=parsed.end)).select_related("level", "branch"))
        if not staff:
            continue
        window = months_back(parsed.label, max(r.months for r, _ in rules.values()))
        need = any(n != "score" and not n.startswith("next.") for _, f in rules.values() for n in f.names)
        values = _month_values(window, staff, need)
        in_force = levels_in_force(staff, parsed.end)
        levels = categories[category_id].levels
        for s in staff:
            current = in_force[s.pk]
            if current.level_id is None:
                continue
            for kind, step in (("demote", -1), ("promote", 1)):
                if kind not in rules or not 0 <= current.order + step < len(levels):
                    continue
                rule, formula = rules[kind]
                months = window[-rule.months:]
                if parse_period(months[0]).start < current.since.replace(day=1):
                    continue  # not yet `months` months at this level
                extra = {}
                if kind == "promote":
                    extra = {f"next.{k}": v for k, v in scheme_targets(category_id=category_id, level_id=levels[current.order + 1].id)[1].items()}
                if _holds(formula, [values[m][s.pk] | extra for m in months]):
                    target = levels[current.order + step]
                    reason = (f"{rule.get_kind_display()}: {rule.formula} in each of {', '.join(months)}")
                    proposals.append(_propose(actor, s, LevelChange.Kind.DEMOTION if step < 0 else LevelChange.Kind.PROMOTION,
                                              current.level_id, target.id, parsed.label, effective, reason))
                    break
    for rule in ProbationRule.objects.all():
        proposals += _probation(actor, rule, parsed.label, effective)
    return [p for p in proposals if p is not None]


def applicant(actor):
    """Who proposes: the user running the review, or for the monthly job (the system) the first active head-office user
    (else admin) — a process needs an applicant, and the engine keeps them from deciding their own proposal."""
    if getattr(actor, "pk", None):
        return actor
    for role in APPROVAL_ESCALATION:  # head office, then admin
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is not None:
            return user
    raise DomainError("no active head-office or admin user to propose level changes on the company's behalf", field="actor")


def _probation(actor, rule: ProbationRule, month: str, effective: dt.date) -> list[LevelChange | None]:
    """Staff whose probation (the hire month and the months after it) ends with `month`: targets met over it or not."""
    months = months_back(month, rule.months)
    first = parse_period(months[0])
    staff = list(Staff.objects.filter(category_id=rule.category_id, hire_date__gte=first.start, hire_date__lte=first.end)
                 .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=parse_period(month).end)).select_related("level", "branch"))
    if not staff:
        return []
    sums: dict[str, dict[str, Decimal]] = {s.staff_no: {k: Decimal(0) for k in rule.targets} for s in staff}
    for m in months:
        published = staff_indicators(parse_period(m), list(sums)).values
        for number, totals in sums.items():
            for k in totals:
                totals[k] += published.get(number, {}).get(k) or Decimal(0)
    out = []
    for s in staff:
        missing = {k: Decimal(str(t)) - sums[s.staff_no][k] for k, t in rule.targets.items() if sums[s.staff_no][k] < Decimal(str(t))}
        achieved = ", ".join(f"{k} {sums[s.staff_no][k]:,} / {Decimal(str(t)):,}" for k, t in rule.targets.items())
        kind = LevelChange.Kind.PROBATION_FAILED if missing else LevelChange.Kind.PROBATION_PASSED
        out.append(_propose(actor, s, kind, s.level_id, s.level_id, month, effective,
                            f"probation {months[0]}…{month}: {achieved}"))
    return out


def _propose(actor, staff: Staff, kind: str, from_level: int | None, to_level: int | None, month: str, effective: dt.date,
             reason: str) -> LevelChange | None:
    if LevelChange.objects.filter(staff=staff, reviewed_month=month, kind=kind).exists():
        return None
    change = LevelChange.objects.create(staff=staff, category_id=staff.category_id, from_level_id=from_level, level_id=to_level,
                                        kind=kind, reviewed_month=month, effective_from=effective, reason=reason)
    audit_record(actor=actor, action="create", instance=change, changes={"level": [from_level, to_level], "kind": [None, kind]},
                 note=reason)
    data = {"change_id": change.pk, "staff_no": staff.staff_no, "staff_name": staff.name, "kind": kind,
            "from_level": change.from_level.code if change.from_level else "", "to_level": change.level.code if change.level else "",
            "effective_from": effective.isoformat(), "reason": reason}
    workflow.process_apply(actor=actor, key=PROCESS, data=data, business_key=f"level:{staff.staff_no}:{month}:{kind}",
                           summary=f"{staff.staff_no} {staff.name}: {change.get_kind_display()} {data['from_level']} → {data['to_level']} "
                                   f"from {data['effective_from']}", parties=[staff.pk], branches=[staff.branch], reason=reason)
    return change


def _decide(context: HandlerContext, status: str) -> None:
    change = LevelChange.objects.select_for_update().get(pk=context.data["change_id"])
    if change.status != LevelChange.Status.PROPOSED:
        raise DomainError(f"level change {change.pk} is already {change.status}", field="status")
    change.status, change.decided_by = status, context.actor if getattr(context.actor, "pk", None) else None
    change.decision_comment = context.data.get("comment", "")
    change.save()
    audit_record(actor=context.actor, action="approve" if status == LevelChange.Status.APPROVED else "reject", instance=change,
                 changes={"status": [LevelChange.Status.PROPOSED, status]}, note=change.decision_comment or change.reason)


def handle_approved(context: HandlerContext) -> None:
    _decide(context, LevelChange.Status.APPROVED)


def handle_rejected(context: HandlerContext) -> None:
    _decide(context, LevelChange.Status.REJECTED)


def level_history_rows() -> list[list]:
    """`export levels`: per staff member the level they were hired at, then every approved change (probation results
    keep the level), by staff number and date."""
    rows = []
    changes: dict[int, list[LevelChange]] = {}
    for c in LevelChange.objects.filter(status=LevelChange.Status.APPROVED).select_related("level").order_by("effective_from", "id"):
        changes.setdefault(c.staff_id, []).append(c)
    for s in Staff.objects.filter(level__isnull=False).select_related("category", "level").order_by("staff_no"):
        rows.append([s.staff_no, s.category.code, s.level.code, s.hire_date, "hired"])
        rows += [[s.staff_no, s.category.code, c.level.code if c.level else "", c.effective_from, f"{c.kind}: {c.reason}"]
                 for c in changes.get(s.pk, [])]
    return rows


def register() -> None:
    workflow.register_process(PROCESS, label=_("Approve a level change"), shipped=SHIPPED,
                              fields={"change_id", "staff_no", "staff_name", "kind", "from_level", "to_level", "effective_from", "reason"})
    workflow.register_handler("evaluation.level_change_approved", handle_approved, label=_("Level change approved"))
    workflow.register_handler("evaluation.level_change_rejected", handle_rejected, label=_("Level change rejected"))
