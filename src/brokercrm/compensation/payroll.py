"""A month's payroll computed from the database and the published marts: inputs gathered, lines calculated (calc.py),
and the lineage of every input recorded. Writes nothing: services store the result."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from brokercrm.compensation.calc import (ENTERED_INPUTS, PayLine, RuleError, RuleSpec, compile_rules, compute_lines,
                                         months_employed, totals)
from brokercrm.compensation.models import PayConstant, PayGrade, PayInput, PayItem, PayStructure, TierTable
from brokercrm.core.errors import DomainError
from brokercrm.evaluation import facade as evaluation
from brokercrm.org.facade import Staff


@dataclass
class PayslipData:
    staff: Staff
    structure: str
    lines: list[PayLine]
    lineage: list[dict]
    gross: Decimal
    deductions: Decimal
    net: Decimal
    level_code: str = ""  # the level in force in the month (level management), not necessarily the hire level


@dataclass
class PayrollResult:
    period: str
    snapshot: str
    payslips: list[PayslipData] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    item_names: dict[str, str] = field(default_factory=dict)


def tier_tables() -> dict[str, list[tuple[Decimal, Decimal]]]:
    return {t.name: [(Decimal(a), Decimal(b)) for a, b in t.rows] for t in TierTable.objects.all()}


def _plain(value: Decimal) -> Decimal:
    """6-decimal storage without its trailing zeros (5000.000000 → 5000, 0.050000 → 0.05)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def constants() -> dict[str, Decimal]:
    return {k.name: _plain(k.value) for k in PayConstant.objects.all()}


def compiled_structure(structure: PayStructure, *, constant_names, tier_names) -> list[RuleSpec]:
    rules = [(r.item.code, r.item.kind, r.formula) for r in structure.rules.select_related("item").order_by("order")]
    return compile_rules(rules, constants=constant_names, tier_tables=tier_names)


def _structure_for(structures: dict, staff: Staff, level_id: int | None):
    return structures.get((staff.category_id, level_id)) or structures.get((staff.category_id, None))


def _sum_values(rows: list[dict]) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for name in evaluation.INDICATOR_NAMES:
        present = [r.get(name) for r in rows if r.get(name) is not None]
        out[name] = sum(present, Decimal(0)) if present else None
    amount, commission = out.get("trade_amount"), out.get("commission")
    out["commission_rate"] = None if not amount else (commission / amount).quantize(Decimal("0.000001"))
    return out


def compute_payroll(period: str, *, only: list[str] | None = None, structure: PayStructure | None = None) -> PayrollResult:
    """Every staff member employed in the month whose category (and level) has an active pay structure.

    only: just these staff numbers; structure: pay them with this structure instead (the preview)."""
    parsed = evaluation.parse_period(period)
    if parsed.kind != "month":
        raise DomainError(f"'{period}' is not a month (YYYY-MM)", field="period")
    consts, tiers = constants(), tier_tables()
    structures, compiled = {}, {}
    for s in PayStructure.objects.filter(active=True).select_related("category", "level"):
        try:
            compiled[s.code] = compiled_structure(s, constant_names=consts, tier_names=tiers)
        except RuleError as exc:
            raise DomainError(f"pay structure {s.code}, item {exc.code}: column {exc.error.column}: {exc.error.message}",
                              field="formula") from None
        structures[(s.category_id, s.level_id)] = s
    if structure is not None:
        try:
            compiled[structure.code] = compiled_structure(structure, constant_names=consts, tier_names=tiers)
        except RuleError as exc:
            raise DomainError(f"item {exc.code}: column {exc.error.column}: {exc.error.message}", field="formula") from None
    item_names = {i.code: i.name for i in PayItem.objects.all()}
    candidates = Staff.objects.filter(hire_date__lte=parsed.end).filter(Q(leave_date__isnull=True) | Q(leave_date__gt=parsed.start))
    if only is not None:
        candidates = candidates.filter(staff_no__in=only)
    employed = list(candidates.select_related("branch", "team", "category", "level").order_by("staff_no"))
    # Levels change on a month's first day (evaluation's level management), so the level in force on the first is every day's.
    in_force = evaluation.levels_in_force(employed, parsed.start)
    level_of = {s.pk: in_force[s.pk].level_id if s.pk in in_force else s.level_id for s in employed}
    staff = [s for s in employed if structure is not None or _structure_for(structures, s, level_of[s.pk])]
    unpaid = [s.staff_no for s in employed if s not in staff]
    numbers = [s.staff_no for s in staff]
    current = evaluation.staff_indicators(parsed)
    last_year_period = parsed.shifted_year()
    last_year = evaluation.staff_indicators(last_year_period, numbers)
    branches = evaluation.branch_indicators(parsed)
    work = evaluation.work_indicators(numbers, parsed.start, parsed.end)
    result = PayrollResult(period=parsed.label, snapshot=current.snapshot)
    if not current.months:
        result.notes.append(f"no indicators are published for {parsed.label}: indicator inputs are empty")
    team_members: dict[int, list[str]] = defaultdict(list)
    for s in Staff.objects.filter(team__isnull=False).values_list("team_id", "staff_no"):
        team_members[s[0]].append(s[1])
    team_values = {team: _sum_values([current.values.get(n, {}) for n in members]) for team, members in team_members.items()}
    grades = {(g.category_id, g.level_id): g.post_salary for g in PayGrade.objects.all()}
    entered: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for staff_id, name, value in PayInput.objects.filter(period=parsed.label).values_list("staff_id", "name", "value"):
        entered[staff_id][name] = value
    scores = evaluation.staff_scores(staff_ids=[s.id for s in staff], month=parsed.label)
    targets_cache: dict[tuple, tuple[str, dict]] = {}
    missing = 0
    for s in staff:
        paid_by = structure or _structure_for(structures, s, level_of[s.pk])
        key = (s.category_id, level_of[s.pk])
        if key not in targets_cache:
            targets_cache[key] = evaluation.scheme_targets(category_id=s.category_id, level_id=level_of[s.pk])
        scheme_code, targets = targets_cache[key]
        own = current.values.get(s.staff_no)
        missing += own is None
        values: dict[str, Decimal | None] = dict(own or {})
        values |= work.values.get(s.staff_no, {})
        values |= {f"last_year.{k}": v for k, v in last_year.values.get(s.staff_no, {}).items()}
        values |= {f"team.{k}": v for k, v in team_values.get(s.team_id, {}).items()}
        values |= {f"branch.{k}": v for k, v in branches.values.get(s.branch.code, {}).items()}
        values |= {f"target.{k}": v for k, v in targets.items()}
        values |= consts
        values["post_salary"] = grades.get(key, grades.get((s.category_id, None)))
        values["months_employed"] = Decimal(months_employed(s.hire_date, parsed.end))
        values["level_order"] = Decimal(in_force[s.pk].order) if level_of[s.pk] else None
        score = scores.get(s.id)
        values["evaluation_score"] = score[0] if score else None
        values |= {name: entered[s.id].get(name, default) for name, default in ENTERED_INPUTS.items()}
        if "product_sales" not in entered[s.id]:  # the trading data's measure (issue 15) unless head office entered a correction
            values["product_sales"] = values.get("product_sales_amount") or Decimal("0.00")
        try:
            lines = compute_lines(compiled[paid_by.code], values, tiers=tiers)
        except RuleError as exc:
            raise DomainError(f"pay structure {paid_by.code}, item {exc.code}, staff {s.staff_no}: column {exc.error.column}: "
                              f"{exc.error.message}", field="formula") from None
        context = {"staff_no": s.staff_no, "branch": s.branch.code, "team": s.team_id, "period": parsed.label,
                   "last_year": last_year_period.label, "snapshot": current.snapshot, "scheme": scheme_code,
                   "run": score[1] if score else None, "entered": entered[s.id], "members": team_members.get(s.team_id, []),
                   "hire_date": s.hire_date.isoformat(), "category": s.category.code, "level": in_force[s.pk].code or None}
        lineage = [{name: _lineage(name, context, consts) for name in line.inputs} for line in lines]
        gross, deductions, net = totals(lines)
        result.payslips.append(PayslipData(s, paid_by.code, lines, lineage, gross, deductions, net, in_force[s.pk].code))
    if unpaid:
        result.notes.append(f"{len(unpaid)} staff member(s) have no active pay structure for their category and level "
                            f"(e.g. {', '.join(unpaid[:5])}): no payslip")
    if missing:
        result.notes.append(f"{missing} staff member(s) have no published indicators for {parsed.label}")
    result.item_names = item_names
    return result


_MART_NAMES = frozenset(evaluation.INDICATOR_NAMES) - frozenset(evaluation.WORK_INDICATORS) - frozenset(evaluation.PRODUCT_INDICATORS)


def _lineage(name: str, c: dict, consts) -> dict:
    """Where an input came from: a mart row (table, key, period, column), a configuration row, an entry or an earlier item."""
    mart_names = _MART_NAMES
    prefix, _, base = name.rpartition(".")
    if not prefix and name in mart_names:
        return {"source": "datacenter.month_indicators(staff)", "snapshot": c["snapshot"], "key": c["staff_no"], "period": c["period"], "column": name,
                "drill": [c["staff_no"], c["period"], name]}
    if not prefix and name in evaluation.PRODUCT_INDICATORS:
        return {"source": "products.product_sales(staff)", "key": c["staff_no"], "period": c["period"], "column": name}
    if not prefix and name in evaluation.WORK_INDICATORS:
        return {"source": evaluation.WORK_SOURCES[name], "key": c["staff_no"], "period": c["period"]}
    if prefix == "last_year":
        return {"source": "datacenter.month_indicators(staff)", "snapshot": c["snapshot"], "key": c["staff_no"], "period": c["last_year"], "column": base,
                "drill": [c["staff_no"], c["last_year"], base] if base in mart_names else None}
    if prefix == "team":
        return {"source": "datacenter.month_indicators(staff)", "snapshot": c["snapshot"], "members": c["members"], "period": c["period"], "column": base,
                "aggregate": "sum over the team's members"}
    if prefix == "branch":
        return {"source": "datacenter.month_indicators(branch)", "snapshot": c["snapshot"], "key": c["branch"], "period": c["period"], "column": base}
    if prefix == "target":
        return {"source": "evaluation scheme", "scheme": c["scheme"], "column": base}
    if name in consts:
        return {"source": "constant", "name": name}
    if name == "post_salary":
        return {"source": "pay grade", "category": c["category"], "level": c["level"]}
    if name == "level_order":
        return {"source": "staff level", "category": c["category"], "level": c["level"]}
    if name == "months_employed":
        return {"source": "staff", "hire_date": c["hire_date"]}
    if name == "evaluation_score":
        return {"source": "evaluation run", "run": c["run"]}
    if name == "product_sales" and name not in c["entered"]:
        return {"source": "products.product_sales(staff)", "key": c["staff_no"], "period": c["period"], "column": "product_sales_amount"}
    if name in ENTERED_INPUTS:
        return {"source": "pay input", "entered": name in c["entered"], "default": str(ENTERED_INPUTS[name])}
    return {"source": "item", "item": name}
