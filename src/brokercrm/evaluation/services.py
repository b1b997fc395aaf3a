"""Writes of evaluation: scheme import and item edits, evaluation runs; each in a transaction, each audited."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.bulk import insert_rows
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.evaluation.indicators import PERIOD_EXAMPLES, parse_period
from brokercrm.evaluation.marts import staff_indicators
from brokercrm.evaluation.models import EvaluationRun, Scheme, SchemeItem, Score, ScoreLine
from brokercrm.evaluation.schemes_io import apply_schemes, export_schemes, parse_schemes
from brokercrm.evaluation.scoring import ItemSpec, check_item, compile_item_formula, rank, score_staff
from brokercrm.evaluation.targets import staff_targets
from brokercrm.evaluation.work import work_indicators
from brokercrm.org.facade import EVALUATION_MANAGERS, EVALUATION_RUNNERS, Staff, category_level_ids, scope_for, staff_categories
from brokercrm.platform.facade import FormulaError

MODELS = {"Scheme": Scheme, "SchemeItem": SchemeItem}


def scheme_specs(scheme: Scheme) -> list[ItemSpec]:
    """The scheme's items, their formulas checked again: one stored before a check was added names its scheme and item."""
    specs = []
    for i in scheme.items.order_by("order"):
        try:
            formula = compile_item_formula(i.formula) if i.mode == "formula" else None
        except FormulaError as exc:
            raise DomainError(f"scheme {scheme.code}, item {i.indicator}: column {exc.column}: {exc.message}", field="formula") from None
        specs.append(ItemSpec(i.indicator, i.weight, i.target, i.mode, i.cap, i.floor, formula))
    return specs


def scheme_staff(scheme: Scheme, start, end):
    """Staff the scheme evaluates: its category (and level), employed on at least one day of the period."""
    qs = Staff.objects.filter(category_id=scheme.category_id, hire_date__lte=end).filter(
        Q(leave_date__isnull=True) | Q(leave_date__gt=start)).select_related("branch", "team")
    if scheme.level_id:
        qs = qs.filter(level_id=scheme.level_id)
    return qs.order_by("staff_no")


def _staff_in_reach(actor, scheme: Scheme, start, end, branch_code: str) -> list[Staff]:
    """The scheme's staff the actor may evaluate: everyone for head office and the system (or one branch when given); a
    branch manager their branch, a team leader their team; another branch, or nobody of one's own, is refused."""
    staff = scheme_staff(scheme, start, end)
    if branch_code:
        staff = staff.filter(branch__code=branch_code)
    scope = scope_for(actor) if actor is not None else None
    if scope is None or scope.everything:
        return list(staff)
    mine = staff.filter(scope.staff_q())
    if branch_code and not mine.exists():
        raise PermissionDenied(f"branch {branch_code} is not yours to evaluate")
    others_only = scope.staff_ids == frozenset({scope.own_staff_id}) and not scope.branch_ids
    if others_only or not scope.staff_ids:
        raise PermissionDenied("only head office, branch managers and team leaders run evaluations")
    return list(mine)


def rerank(run: EvaluationRun) -> None:
    """Team, branch and company ranks of every score of the run from the stored totals (after a partial re-run)."""
    scores = list(run.scores.all())
    totals = {s.staff_id: s.total for s in scores}
    by_team = rank(totals, {s.staff_id: f"T{s.team_id}" for s in scores if s.team_id})
    by_branch = rank(totals, {s.staff_id: s.branch_id for s in scores})
    company = rank(totals)
    for s in scores:
        s.rank_team = by_team.get(s.staff_id) if s.team_id else None
        s.rank_branch, s.rank_company = by_branch[s.staff_id], company[s.staff_id]
    Score.objects.bulk_update(scores, ["rank_team", "rank_branch", "rank_company"], batch_size=1000)


@role_required(EVALUATION_RUNNERS)
@transaction.atomic
def evaluation_run(*, actor, scheme: Scheme, period: str, branch_code: str = "") -> EvaluationRun:
    """Score the scheme's staff within the actor's reach (see _staff_in_reach) for the period; their earlier scores are
    replaced, and every score of the run is ranked again in team, branch and company."""
    parsed = parse_period(period)
    if parsed.kind != scheme.period_kind:
        raise DomainError(f"scheme {scheme.code} is {scheme.get_period_kind_display()}: give a {scheme.period_kind} period "
                          f"(e.g. {PERIOD_EXAMPLES[scheme.period_kind]})",
                          field="period")
    specs = scheme_specs(scheme)
    staff = _staff_in_reach(actor, scheme, parsed.start, parsed.end, branch_code)
    numbers = [s.staff_no for s in staff]
    current = staff_indicators(parsed, numbers)
    work = work_indicators(numbers, parsed.start, parsed.end)
    needs_last_year = any(s.formula is not None and any(n.startswith("last_year.") for n in s.formula.names) for s in specs)
    last_year = staff_indicators(parsed.shifted_year(), numbers) if needs_last_year else None
    own_targets = staff_targets(staff_nos=numbers, period=parsed.label)
    totals, breakdowns = {}, {}
    for s in staff:
        mine = own_targets.get(s.staff_no, {})
        values = dict(current.values.get(s.staff_no, {})) | work.values.get(s.staff_no, {})
        values |= {f"target.{k}": v for k, v in mine.items()}
        if last_year is not None:
            values |= {f"last_year.{k}": v for k, v in last_year.values.get(s.staff_no, {}).items()}
        try:
            # A person's own approved target (the cascade) replaces the scheme's for that indicator.
            own_specs = [replace(spec, target=mine[spec.indicator]) if spec.indicator in mine and spec.mode != "formula" and mine[spec.indicator] > 0
                         else spec for spec in specs]
            totals[s.staff_no], breakdowns[s.staff_no] = score_staff(own_specs, values)
        except FormulaError as exc:
            raise DomainError(f"scheme {scheme.code}, staff {s.staff_no}: {exc}", field="formula") from None
    run, created = EvaluationRun.objects.get_or_create(scheme=scheme, period=parsed.label, defaults={"created_by": actor if getattr(actor, "pk", None) else None})
    run.scores.filter(staff__in=staff).delete()
    notes = []
    missing = [n for n in numbers if n not in current.values]
    if missing:
        notes.append(f"no published indicators for {len(missing)} staff member(s) (e.g. {', '.join(missing[:5])}): scored on empty values")
    run.snapshot, run.note = current.snapshot, "\n".join(notes)
    run.save()
    scores = Score.objects.bulk_create([
        Score(run=run, staff=s, branch_id=s.branch_id, team_id=s.team_id, total=totals[s.staff_no],
              rank_team=None, rank_branch=0, rank_company=0) for s in staff], batch_size=1000)
    rerank(run)
    insert_rows(ScoreLine, ["score", "order", "indicator", "actual", "target", "weight", "ratio", "points", "mode", "formula", "inputs"], [
        (score.pk, order, item.indicator, item.actual, item.target, item.weight, item.ratio, item.points, item.mode, item.formula,
         {k: None if v is None else str(v) for k, v in item.inputs.items()})
        for score, s in zip(scores, staff) for order, item in enumerate(breakdowns[s.staff_no], start=1)])
    audit_record(actor=actor, action="create" if created else "update", instance=run,
                 changes={"scores": [None, len(staff)], "snapshot": [None, run.snapshot]},
                 note=f"evaluation run {run}" + (f" · branch {branch_code}" if branch_code else ""))
    return run


@role_required(EVALUATION_MANAGERS)
@transaction.atomic
def schemes_import(*, actor, data: bytes, file_name: str) -> int:
    """Import schemes from YAML: every problem is reported with its line and field; nothing changes on any problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError(f"{file_name}: not valid UTF-8", field="file") from None
    categories = staff_categories()
    schemes = parse_schemes(text, file=file_name, categories=categories)
    before = export_schemes(models=MODELS)
    count = apply_schemes(schemes, models=MODELS, categories=categories)
    audit_record(actor=actor, action="import", object_type="evaluation.scheme", object_id="*",
                 changes={"yaml": [before, export_schemes(models=MODELS)]}, note=file_name)
    return count


def schemes_export() -> str:
    return export_schemes(models=MODELS)


@role_required(EVALUATION_MANAGERS)
@transaction.atomic
def scheme_item_update(*, actor, item: SchemeItem, target: Decimal | None, weight: Decimal, mode: str,
                       cap: Decimal | None = None, floor: Decimal | None = None, formula: str = "") -> SchemeItem:
    """Change one item's target, weight and scoring; a formula is checked (with its position) before saving."""
    compiled = None
    if formula.strip():
        try:
            compiled = compile_item_formula(formula)
        except FormulaError as exc:
            raise DomainError(f"column {exc.column}: {exc.message}", field="formula") from None
    check_item(ItemSpec(item.indicator, weight, target, mode, cap, floor, compiled))
    before = snapshot(item)
    item.target, item.weight, item.mode, item.cap, item.floor, item.formula = target, weight, mode, cap, floor, formula.strip()
    item.save()
    audit_record(actor=actor, action="update", instance=item, changes=diff(before, snapshot(item)))
    return item


@role_required(EVALUATION_MANAGERS)
@transaction.atomic
def scheme_copy(*, actor, source: Scheme, code: str, name: str, category: str, level: str = "",
                period_kind: str | None = None) -> Scheme:
    """A new scheme from a template (e.g. a shipped one) for a staff category and level (codes) and a period kind,
    with the same items."""
    if Scheme.objects.filter(code=code).exists():
        raise DomainError(f"scheme {code} already exists", field="code")
    category_id, level_id = category_level_ids(category, level)
    kind = period_kind or source.period_kind
    if kind not in PERIOD_EXAMPLES:
        raise DomainError(f"unknown period '{kind}'", field="period_kind")
    scheme = Scheme.objects.create(code=code, name=name, category_id=category_id, level_id=level_id,
                                   period_kind=kind, active=True, description=f"copied from {source.code}")
    SchemeItem.objects.bulk_create([SchemeItem(scheme=scheme, order=i.order, indicator=i.indicator, weight=i.weight, target=i.target,
                                               mode=i.mode, cap=i.cap, floor=i.floor, formula=i.formula) for i in source.items.all()])
    audit_record(actor=actor, action="create", instance=scheme, changes=diff({}, snapshot(scheme)), note=f"copy of {source.code}")
    return scheme
