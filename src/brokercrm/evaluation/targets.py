"""Target cascade (指标分解): a period's target of an indicator set for the company and split to branches, teams and
staff — by hand, evenly, or in proportion to last year's same period — each split approved by the level above through
the `target_split` process; CSV import/export (`period,scope,key,indicator,target`) and the targets in force per person.

Keys: company `company`, a branch its code, a team `<branch code>/<team code>`, a staff member their number. A split's
parts always sum to the parent to the cent: shares are rounded down to the cent and the cents left over go to the
largest remainders (then the first keys).
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from brokercrm.core.audit import audit_record
from brokercrm.core.csvfiles import read_rows
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.permissions import has_role, role_required
from brokercrm.evaluation.indicators import BY_NAME, parse_period
from brokercrm.evaluation.levels import applicant
from brokercrm.evaluation.marts import branch_indicators, staff_indicators
from brokercrm.evaluation.models import Target
from brokercrm.org.facade import EVALUATION_MANAGERS, EVALUATION_RUNNERS, Branch, Staff, scope_for
from brokercrm.platform import facade as workflow
from brokercrm.platform.facade import HandlerContext

PROCESS = "target_split"
SHIPPED = Path(__file__).parent / "processes" / "target_split.bpmn"
TARGET_COLUMNS = ["period", "scope", "key", "indicator", "target"]
COMPANY = "company"
CENT = Decimal("0.01")
# Which scopes a parent of each scope splits to.
SPLITS = {"company": ("branch",), "branch": ("team", "staff"), "team": ("staff",)}


def shares(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """`total` split in proportion to the weights (evenly when every weight is 0), summing to it exactly."""
    keys = list(weights)
    if not keys:
        raise DomainError("there is nothing to split the target to", field="scope")
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum <= 0:
        weights, weight_sum = {k: Decimal(1) for k in keys}, Decimal(len(keys))
    raw = {k: total * weights[k] / weight_sum for k in keys}
    out = {k: raw[k].quantize(CENT, rounding=ROUND_DOWN) for k in keys}
    left = int(((total - sum(out.values(), Decimal(0))) / CENT).to_integral_value())
    for k in sorted(keys, key=lambda k: (-(raw[k] - out[k]), keys.index(k)))[:left]:
        out[k] += CENT
    return out


def _children(parent: Target, to_scope: str) -> dict[str, dict]:
    """Key → the org references of the parts a parent splits to, in key order."""
    if to_scope not in SPLITS.get(parent.scope, ()):
        raise DomainError(f"a {parent.scope} target splits to {' or '.join(SPLITS.get(parent.scope, ())) or 'nothing'}", field="scope")
    if parent.scope == COMPANY:
        return {b.code: {"branch": b} for b in Branch.objects.order_by("code")}
    if parent.scope == "branch" and to_scope == "team":
        return {f"{parent.branch.code}/{t.code}": {"branch": parent.branch, "team": t} for t in parent.branch.teams.order_by("code")}
    people = Staff.objects.filter(leave_date__isnull=True).select_related("branch", "team").order_by("staff_no")
    people = people.filter(team=parent.team) if parent.scope == "team" else people.filter(branch=parent.branch)
    return {s.staff_no: {"branch": s.branch, "team": s.team, "staff": s} for s in people}


def _last_year(parent: Target, parts: dict[str, dict]) -> dict[str, Decimal]:
    """Each part's value of the indicator in the same period a year earlier (0 when unpublished)."""
    last = parse_period(parent.period).shifted_year()
    if "staff" in next(iter(parts.values()), {}):
        values = staff_indicators(last, list(parts)).values
        return {k: values.get(k, {}).get(parent.indicator) or Decimal(0) for k in parts}
    if "team" in next(iter(parts.values()), {}):
        members = {k: list(Staff.objects.filter(team=p["team"]).values_list("staff_no", flat=True)) for k, p in parts.items()}
        values = staff_indicators(last, [n for ns in members.values() for n in ns]).values
        return {k: sum((values.get(n, {}).get(parent.indicator) or Decimal(0) for n in ns), Decimal(0)) for k, ns in members.items()}
    values = branch_indicators(last, list(parts)).values
    return {k: values.get(k, {}).get(parent.indicator) or Decimal(0) for k in parts}


def _check_may_split(actor, parent: Target) -> None:
    if actor is None or has_role(actor, EVALUATION_MANAGERS):
        return
    scope = scope_for(actor)
    if parent.scope == COMPANY:
        raise PermissionDenied("only head office splits the company's target")
    if parent.scope == "branch" and parent.branch_id not in scope.branch_ids:
        raise PermissionDenied(f"branch {parent.key} is not yours to split")
    if parent.scope == "team" and not Staff.objects.filter(team=parent.team, pk__in=scope.staff_ids).exists():
        raise PermissionDenied(f"team {parent.key} is not yours to split")


@role_required(EVALUATION_MANAGERS)
@transaction.atomic
def target_set_company(*, actor, period: str, indicator: str, target: Decimal) -> Target:
    """Head office sets the company's target of an indicator for a period (in force at once: nothing is above it)."""
    label = parse_period(period).label
    if indicator not in BY_NAME:
        raise DomainError(f"unknown indicator '{indicator}'", field="indicator")
    if target is None or target < 0:
        raise DomainError("the target must not be negative", field="target")
    row, created = Target.objects.update_or_create(period=label, indicator=indicator, scope=COMPANY, key=COMPANY,
                                                   defaults={"target": target, "status": Target.Status.APPROVED})
    audit_record(actor=actor, action="create" if created else "update", instance=row, changes={"target": [None, str(target)]})
    return row


@role_required(EVALUATION_RUNNERS)
@transaction.atomic
def target_split(*, actor, parent: Target, to_scope: str, method: str, manual: dict[str, Decimal] | None = None) -> list[Target]:
    """Split an approved target to the level below (replacing an earlier split of it) and send the split to the level
    above for approval; a split by hand must name every part and sum to the parent."""
    _check_may_split(actor, parent)
    if parent.status != Target.Status.APPROVED:
        raise DomainError("only an approved target can be split", field="status")
    parts = _children(parent, to_scope)
    if method == Target.Method.EVEN:
        amounts = shares(parent.target, {k: Decimal(0) for k in parts})
    elif method == Target.Method.LAST_YEAR:
        amounts = shares(parent.target, _last_year(parent, parts))
    elif method == Target.Method.MANUAL:
        manual = manual or {}
        unknown = sorted(set(manual) - set(parts))
        if unknown or set(parts) - set(manual):
            raise DomainError(f"give a target for each of {', '.join(parts)}" + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
                              field="manual")
        amounts = {k: Decimal(manual[k]).quantize(CENT) for k in parts}
        if sum(amounts.values(), Decimal(0)) != parent.target:
            raise DomainError(f"the parts sum to {sum(amounts.values(), Decimal(0)):,}, not to the target {parent.target:,}", field="manual")
    else:
        raise DomainError(f"unknown split method '{method}' (expected manual, even or last_year)", field="method")
    Target.objects.filter(parent=parent).delete()
    Target.objects.filter(period=parent.period, indicator=parent.indicator, scope=to_scope, key__in=list(parts)).delete()
    children = Target.objects.bulk_create([
        Target(period=parent.period, indicator=parent.indicator, scope=to_scope, key=k, parent=parent, target=amounts[k],
               method=method, status=Target.Status.PENDING, **parts[k]) for k in parts])
    audit_record(actor=actor, action="create", instance=parent, changes={"split": [None, {k: str(v) for k, v in amounts.items()}]},
                 note=f"{method} split to {to_scope}")
    by_branch = parent.scope == "team"
    applicant_branch = parent.branch or Branch.objects.order_by("code").first()
    branch_staff = Staff.objects.filter(branch=parent.branch).order_by("staff_no").first() if parent.branch_id else None
    data = {"target_id": parent.pk, "period": parent.period, "indicator": parent.indicator, "parent_scope": parent.scope,
            "parent_key": parent.key, "to_scope": to_scope, "total": f"{parent.target:.2f}", "parts": len(children),
            "by_branch": by_branch, "branch_staff_no": branch_staff.staff_no if branch_staff else ""}
    workflow.process_apply(actor=applicant(actor), key=PROCESS, data=data, business_key=f"target:{parent.pk}",
                           summary=f"{parent.period} {parent.indicator} {parent.scope} {parent.key}: {parent.target:,} → "
                                   f"{len(children)} {to_scope} ({method})",
                           parties=[], branches=[applicant_branch] if applicant_branch else [], reason=f"{method} split")
    return children


def _decide(context: HandlerContext, status: str) -> None:
    parent = Target.objects.get(pk=context.data["target_id"])
    updated = parent.children.filter(status=Target.Status.PENDING).update(status=status)
    audit_record(actor=context.actor, action="approve" if status == Target.Status.APPROVED else "reject", instance=parent,
                 changes={"split": [Target.Status.PENDING, status], "parts": [None, updated]}, note=context.data.get("comment", ""))


def handle_approved(context: HandlerContext) -> None:
    _decide(context, Target.Status.APPROVED)


def handle_rejected(context: HandlerContext) -> None:
    _decide(context, Target.Status.REJECTED)


def staff_targets(*, staff_nos: list[str], period: str) -> dict[str, dict[str, Decimal]]:
    """The approved personal targets of a period: staff number → indicator → target."""
    out: dict[str, dict[str, Decimal]] = {}
    for key, indicator, target in Target.objects.filter(period=period, scope="staff", key__in=staff_nos,
                                                        status=Target.Status.APPROVED).values_list("key", "indicator", "target"):
        out.setdefault(key, {})[indicator] = target
    return out


def target_rows(*, period: str = "") -> list[list]:
    """The export rows (approved targets), by period, indicator, level and key."""
    order = {s: n for n, s in enumerate(Target.Scope.values)}
    qs = Target.objects.filter(status=Target.Status.APPROVED)
    if period:
        qs = qs.filter(period=period)
    rows = sorted(qs.values_list("period", "scope", "key", "indicator", "target"), key=lambda r: (r[0], r[3], order[r[1]], r[2]))
    return [list(r) for r in rows]


def target_find(*, period: str, indicator: str, scope: str, key: str) -> Target | None:
    return Target.objects.filter(period=period, indicator=indicator, scope=scope, key=key).select_related("branch", "team").first()


def target_list(*, user, period: str):
    """The targets of a period the user may see: the company's and those of branches, teams and staff in their scope."""
    qs = Target.objects.filter(period=period).select_related("branch", "team", "staff", "parent")
    scope = scope_for(user)
    if not scope.everything:
        mine = Staff.objects.filter(scope.staff_q())
        qs = qs.filter(Q(scope=COMPANY) | Q(branch_id__in=mine.values("branch_id")) & ~Q(scope="staff") | Q(staff__in=mine))
    order = {s: n for n, s in enumerate(Target.Scope.values)}
    return sorted(qs, key=lambda t: (t.indicator, order[t.scope], t.key))


def target_get(*, user, target_id: int) -> Target:
    """One target in the user's view (404 outside it)."""
    found = next((t for t in target_list(user=user, period=Target.objects.filter(pk=target_id).values_list("period", flat=True).first() or "")
                  if t.pk == target_id), None)
    if found is None:
        raise Http404
    return found


def _resolve(scope: str, key: str) -> dict | None:
    if scope == COMPANY:
        return {} if key == COMPANY else None
    if scope == "branch":
        branch = Branch.objects.filter(code=key).first()
        return {"branch": branch} if branch else None
    if scope == "team":
        code, _, team_code = key.partition("/")
        branch = Branch.objects.filter(code=code).first()
        team = branch.teams.filter(code=team_code).first() if branch else None
        return {"branch": branch, "team": team} if team else None
    staff = Staff.objects.filter(staff_no=key).select_related("branch", "team").first()
    return {"branch": staff.branch, "team": staff.team, "staff": staff} if staff else None


@role_required(EVALUATION_MANAGERS)
@transaction.atomic
def targets_import(*, actor, data: bytes, file_name: str) -> int:
    """Head office's targets from CSV, in force at once: every problem is reported as FILE:LINE:COLUMN and nothing
    changes; within a period and indicator the parts given must sum to their parent given in the same file."""
    rows, problems = read_rows(data, file=file_name, columns=TARGET_COLUMNS)
    parsed = []
    for row in rows:
        v = row.values
        def bad(column, message):
            problems.append(Problem(message, file=file_name, line=row.line, column=column))
        try:
            period = parse_period(v["period"] or "").label
        except DomainError as exc:
            bad("period", exc.message)
            continue
        if v["scope"] not in Target.Scope.values:
            bad("scope", f"unknown scope '{v['scope']}' (expected {', '.join(Target.Scope.values)})")
            continue
        refs = _resolve(v["scope"], v["key"] or "")
        if refs is None:
            bad("key", f"unknown {v['scope']} '{v['key']}'")
            continue
        if v["indicator"] not in BY_NAME:
            bad("indicator", f"unknown indicator '{v['indicator']}'")
            continue
        try:
            target = Decimal(v["target"] or "").quantize(CENT)
        except InvalidOperation:
            bad("target", f"'{v['target']}' is not a number")
            continue
        if target < 0:
            bad("target", "the target must not be negative")
            continue
        parsed.append((row.line, period, v["scope"], v["key"], v["indicator"], target, refs))
    seen = {}
    for line, period, scope, key, indicator, target, _refs in parsed:
        if (period, scope, key, indicator) in seen:
            problems.append(Problem(f"duplicate of line {seen[(period, scope, key, indicator)]}", file=file_name, line=line, column="key"))
        seen.setdefault((period, scope, key, indicator), line)
    problems += _sum_problems(parsed, file_name)
    if problems:
        raise InputRejected(problems)
    for _line, period, scope, key, indicator, target, refs in parsed:
        Target.objects.update_or_create(period=period, indicator=indicator, scope=scope, key=key,
                                        defaults={"target": target, "status": Target.Status.APPROVED, "method": Target.Method.IMPORT, **refs})
    _link_parents({(p[1], p[4]) for p in parsed})
    audit_record(actor=actor, action="import", object_type="evaluation.target", object_id="*", changes={"rows": [None, len(parsed)]},
                 note=file_name)
    return len(parsed)


def _parent_key(scope: str, refs: dict) -> tuple[str, str] | None:
    if scope == "branch":
        return COMPANY, COMPANY
    if scope == "team":
        return "branch", refs["branch"].code
    if scope == "staff":
        return ("team", f"{refs['branch'].code}/{refs['team'].code}") if refs.get("team") else ("branch", refs["branch"].code)
    return None


def _sum_problems(parsed: list, file_name: str) -> list[Problem]:
    """Parts given in the file that do not sum to their parent given in the file (reported on the parent's line)."""
    given = {(p[1], p[4], p[2], p[3]): p for p in parsed}
    sums: dict[tuple, Decimal] = {}
    for _line, period, scope, key, indicator, target, refs in parsed:
        parent = _parent_key(scope, refs)
        if parent and (period, indicator, *parent) in given:
            sums[(period, indicator, *parent)] = sums.get((period, indicator, *parent), Decimal(0)) + target
    return [Problem(f"its parts in this file sum to {total:,}, not to {given[k][5]:,}", file=file_name, line=given[k][0], column="target")
            for k, total in sums.items() if total != given[k][5]]


def _link_parents(pairs: set[tuple[str, str]]) -> None:
    for period, indicator in pairs:
        rows = {(t.scope, t.key): t for t in Target.objects.filter(period=period, indicator=indicator).select_related("branch", "team")}
        for t in rows.values():
            parent = _parent_key(t.scope, {"branch": t.branch, "team": t.team})
            if parent and parent in rows and t.parent_id != rows[parent].pk:
                t.parent = rows[parent]
                t.save(update_fields=["parent"])


def register() -> None:
    workflow.register_process(PROCESS, label=_("Approve a target split"), shipped=SHIPPED,
                              fields={"target_id", "period", "indicator", "parent_scope", "parent_key", "to_scope", "total", "parts",
                                      "by_branch", "branch_staff_no"})
    workflow.register_handler("evaluation.target_split_approved", handle_approved, label=_("Targets in force"))
    workflow.register_handler("evaluation.target_split_rejected", handle_rejected, label=_("Split rejected"))
