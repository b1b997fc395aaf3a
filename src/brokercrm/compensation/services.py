"""Writes of compensation: payroll runs along draft → review → approved → locked, pay inputs, pay rules.

Approval goes through the workflow engine (approvals.py: one BPMN process per branch); the run keeps its own
status and a step log (actor, time, comment); the submitter may not approve; recalculation happens only in draft.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from brokercrm.compensation import approvals
from brokercrm.compensation.calc import ENTERED_INPUTS, RuleError, compile_rules
from brokercrm.compensation.models import (BranchApproval, PayConstant, PayGrade, PayInput, PayItem, PayrollRun, PayrollStep,
                                           PayRule, Payslip, PayslipLine, PayStructure, TierTable)
from brokercrm.compensation.payroll import compiled_structure, compute_payroll, constants, tier_tables
from brokercrm.compensation.rules_io import apply_pay_rules, export_pay_rules, parse_pay_rules
from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.bulk import insert_rows
from brokercrm.core.csvfiles import read_rows
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.permissions import role_required
from brokercrm.evaluation.facade import parse_period
from brokercrm.org.facade import PAYROLL_RUNNERS, Branch, Staff, category_level_ids, staff_categories
from brokercrm.platform import facade as workflow

RULE_MODELS = {"PayGrade": PayGrade, "PayItem": PayItem, "TierTable": TierTable, "PayConstant": PayConstant,
               "PayStructure": PayStructure, "PayRule": PayRule}


def _shown(value) -> str | None:
    """An input as stored on the line: money keeps its cents; 6-decimal memo values lose their trailing zeros."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value.as_tuple().exponent < -2:
        text = format(value.normalize(), "f")
        return text
    return str(value)


def _label(actor) -> str:
    return getattr(actor, "username", "") or "system"


def _step(run: PayrollRun, actor, action: str, comment: str = "", branch: Branch | None = None) -> PayrollStep:
    return PayrollStep.objects.create(run=run, action=action, branch=branch, actor=actor if getattr(actor, "pk", None) else None,
                                      actor_label=_label(actor), comment=comment)


def _transition(run: PayrollRun, actor, status: str, action: str, comment: str = "") -> None:
    before = run.status
    run.status = status
    run.save(update_fields=["status", "submitted_by", "updated_at"])
    _step(run, actor, action, comment)
    audit_record(actor=actor, action="approve" if action in ("approve", "lock") else "update", instance=run,
                 changes={"status": [before, status]}, note=comment)


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def payroll_run_calculate(*, actor, period: str) -> PayrollRun:
    """Compute the month's draft with the active pay structures (creates the run; recalculates a draft, never later)."""
    parsed = parse_period(period)
    if parsed.kind != "month":
        raise DomainError(f"'{period}' is not a month (YYYY-MM)", field="period")
    run = PayrollRun.objects.select_for_update().filter(period=parsed.label).first()
    if run is not None and run.status != PayrollRun.Status.DRAFT:
        raise DomainError(f"payroll {run.period} is {run.get_status_display()}: it can be recalculated only in draft", field="period")
    result = compute_payroll(parsed.label)
    created = run is None
    if created:
        run = PayrollRun.objects.create(period=parsed.label)
    run.payslips.all().delete()
    run.calculated_at, run.calculated_by = timezone.now(), actor if getattr(actor, "pk", None) else None
    run.snapshot, run.note = result.snapshot, "\n".join(result.notes)
    run.save()
    payslips = Payslip.objects.bulk_create([
        Payslip(run=run, staff=p.staff, branch_id=p.staff.branch_id, category_code=p.staff.category.code,
                level_code=p.level_code, structure_code=p.structure,
                gross=p.gross, deductions=p.deductions, net=p.net) for p in result.payslips], batch_size=1000)
    names = result.item_names
    insert_rows(PayslipLine, ["payslip", "order", "item_code", "item_name", "kind", "amount", "formula", "empty", "lineage", "inputs"], [
        (slip.pk, n, line.code, names.get(line.code, line.code), line.kind, line.amount, line.formula, line.empty, lineage,
         {k: _shown(v) for k, v in line.inputs.items()})
        for slip, p in zip(payslips, result.payslips) for n, (line, lineage) in enumerate(zip(p.lines, p.lineage), start=1)])
    _step(run, actor, "calculate", f"{len(payslips)} payslips")
    audit_record(actor=actor, action="create" if created else "update", instance=run,
                 changes={"payslips": [None, len(payslips)], "net_total": [None, str(sum((p.net for p in result.payslips), Decimal("0.00")))]},
                 note=f"payroll {run.period} calculated")
    return run


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def payroll_run_submit(*, actor, run: PayrollRun, comment: str = "") -> PayrollRun:
    """Draft → review: each branch with payslips gets an approval process in the workflow engine (the submitter applies).

    The staff paid by a branch's payroll are the people it concerns: no one approves a payroll holding their own
    payslip, so a branch manager's branch goes up the escalation (head office, then admin)."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status != PayrollRun.Status.DRAFT:
        raise DomainError(f"only a draft can be submitted; payroll {run.period} is {run.get_status_display()}", field="status")
    branches = list(Branch.objects.filter(pk__in=run.payslips.values("branch_id")).order_by("code"))
    if not branches:
        raise DomainError("the payroll has no payslips: calculate it first", field="status")
    run.approvals.all().delete()
    BranchApproval.objects.bulk_create([BranchApproval(run=run, branch=b) for b in branches])
    run.submitted_by = actor if getattr(actor, "pk", None) else None
    _transition(run, actor, PayrollRun.Status.REVIEW, "submit", comment)
    for branch in branches:
        slips = run.payslips.filter(branch=branch)
        first = slips.order_by("staff__staff_no").values_list("staff__staff_no", flat=True).first()
        net = sum(slips.values_list("net", flat=True), Decimal("0.00"))
        data = {"period": run.period, "branch_code": branch.code, "branch_name": branch.name, "branch_staff_no": first,
                "payslips": slips.count(), "net_total": f"{net:.2f}"}
        workflow.process_apply(actor=actor, key=approvals.PROCESS, data=data, business_key=approvals.business_key(run.period, branch.code),
                      summary=f"payroll {run.period} · {branch.code} {branch.name}: {data['payslips']} payslips, net {data['net_total']}",
                      parties=list(slips.values_list("staff_id", flat=True)), branches=[branch], reason=comment)
    return run


def _branch_task(run: PayrollRun, branch: Branch) -> int:
    """The id of the workflow task waiting for the branch's decision."""
    task_id = workflow.pending_task_id(key=approvals.PROCESS, business_key=approvals.business_key(run.period, branch.code))
    if task_id is None:
        raise DomainError(f"branch {branch.code} has no pending approval in payroll {run.period}", field="branch")
    return task_id


def may_decide(*, user, run: PayrollRun, branch: Branch) -> bool:
    """Whether the user is the engine's candidate for the branch's pending approval (and not its applicant)."""
    try:
        task_id = _branch_task(run, branch)
    except DomainError:
        return False
    return workflow.may_decide(user=user, task_id=task_id)


def payroll_branch_approve(*, actor, run: PayrollRun, branch: Branch, comment: str = "") -> PayrollRun:
    """Approve a branch's payslips through its workflow task (the branch manager; head office when escalated)."""
    run = PayrollRun.objects.get(pk=run.pk)
    if run.status != PayrollRun.Status.REVIEW:
        raise DomainError(f"payroll {run.period} is {run.get_status_display()}: only a payroll in review can be approved", field="status")
    task_id = _branch_task(run, branch)
    try:
        workflow.task_decide_by_id(actor=actor, task_id=task_id, approved=True, comment=comment)
    except DomainError as exc:
        if exc.field == "task":
            raise DomainError(f"you may not approve the payroll of branch {branch.code}: {exc.message}", field="branch") from None
        raise
    run.refresh_from_db()
    return run


def payroll_run_reject(*, actor, run: PayrollRun, comment: str, branch: Branch | None = None) -> PayrollRun:
    """Send the payroll back to draft with a reason, through a branch's workflow task the actor may decide."""
    run = PayrollRun.objects.get(pk=run.pk)
    if run.status != PayrollRun.Status.REVIEW:
        raise DomainError("only a payroll in review can be sent back", field="status")
    if not comment.strip():
        raise DomainError("say why the payroll is sent back", field="comment")
    pending = [a.branch for a in run.approvals.select_related("branch").filter(approved_at__isnull=True)]
    choices = [b for b in pending if (branch is None or b == branch) and may_decide(user=actor, run=run, branch=b)]
    if not choices:
        raise DomainError("you may not send this payroll back", field="actor")
    workflow.task_decide_by_id(actor=actor, task_id=_branch_task(run, choices[0]), approved=False, comment=comment)
    run.refresh_from_db()
    return run


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def payroll_run_lock(*, actor, run: PayrollRun, comment: str = "") -> PayrollRun:
    """Approved → locked: nothing about the month can change any more."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status != PayrollRun.Status.APPROVED:
        raise DomainError(f"only an approved payroll can be locked; payroll {run.period} is {run.get_status_display()}", field="status")
    _transition(run, actor, PayrollRun.Status.LOCKED, "lock", comment)
    return run


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def pay_input_set(*, actor, period: str, staff: Staff, name: str, value: Decimal, note: str = "") -> PayInput:
    """Enter a month's compliance coefficient, product sales or other deduction for one staff member (draft months only)."""
    if name not in ENTERED_INPUTS:
        raise DomainError(f"unknown input '{name}' (expected {', '.join(ENTERED_INPUTS)})", field="name")
    label = parse_period(period).label
    run = PayrollRun.objects.filter(period=label).first()
    if run is not None and run.status != PayrollRun.Status.DRAFT:
        raise DomainError(f"payroll {label} is {run.get_status_display()}: its inputs cannot change", field="period")
    if name == "compliance_coefficient" and not Decimal(0) <= value <= Decimal(2):
        raise DomainError("a compliance coefficient lies between 0 and 2", field="value")
    entry = PayInput.objects.filter(period=label, staff=staff, name=name).first()
    before = snapshot(entry) if entry else {}
    entry = entry or PayInput(period=label, staff=staff, name=name)
    entry.value, entry.note = value, note
    entry.save()
    audit_record(actor=actor, action="update" if before else "create", instance=entry, changes=diff(before, snapshot(entry)))
    return entry


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def pay_rules_import(*, actor, data: bytes, file_name: str) -> dict[str, int]:
    """Import pay rules from YAML: every problem is reported with its line and field; nothing changes on any problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError(f"{file_name}: not valid UTF-8", field="file") from None
    categories = staff_categories()
    parsed = parse_pay_rules(text, file=file_name, categories=categories)
    before = export_pay_rules(models=RULE_MODELS)
    counts = apply_pay_rules(parsed, models=RULE_MODELS, categories=categories)
    audit_record(actor=actor, action="import", object_type="compensation.paystructure", object_id="*",
                 changes={"yaml": [before, export_pay_rules(models=RULE_MODELS)]}, note=file_name)
    return counts


def pay_rules_export() -> str:
    return export_pay_rules(models=RULE_MODELS)


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def pay_rule_update(*, actor, rule: PayRule, formula: str) -> PayRule:
    """Change one item's formula; the whole structure is checked first and an error names the column."""
    before = snapshot(rule)
    rule.formula = formula.strip()
    rules = [(r.item.code, r.item.kind, rule.formula if r.pk == rule.pk else r.formula)
             for r in rule.structure.rules.select_related("item").order_by("order")]
    try:
        compile_rules(rules, constants=constants(), tier_tables=tier_tables())
    except RuleError as exc:
        raise DomainError(f"{exc.code}: column {exc.error.column}: {exc.error.message}", field="formula") from None
    rule.save()
    audit_record(actor=actor, action="update", instance=rule, changes=diff(before, snapshot(rule)))
    return rule


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def pay_structure_copy(*, actor, source: PayStructure, code: str, name: str, category: str, level: str = "",
                       activate: bool = True) -> PayStructure:
    """A new structure from a template (e.g. a shipped one) for a staff category and level (codes), optionally made
    the active one for them."""
    if PayStructure.objects.filter(code=code).exists():
        raise DomainError(f"pay structure {code} already exists", field="code")
    category_id, level_id = category_level_ids(category, level)
    structure = PayStructure.objects.create(code=code, name=name, category_id=category_id, level_id=level_id, active=False,
                                            description=f"copied from {source.code}")
    PayRule.objects.bulk_create([PayRule(structure=structure, order=r.order, item_id=r.item_id, formula=r.formula)
                                 for r in source.rules.all()])
    compiled_structure(structure, constant_names=constants(), tier_names=tier_tables())
    if activate:
        PayStructure.objects.filter(category_id=category_id, level_id=level_id, active=True).update(active=False)
        structure.active = True
        structure.save(update_fields=["active"])
    audit_record(actor=actor, action="create", instance=structure, changes=diff({}, snapshot(structure)), note=f"copy of {source.code}")
    return structure


INPUT_COLUMNS = ["period", "staff_no", "name", "value", "note"]


@role_required(PAYROLL_RUNNERS)
def pay_inputs_import(*, actor, data: bytes, file_name: str) -> int:
    """Import pay inputs (period,staff_no,name,value,note): every bad row is reported by line and field; all or nothing."""
    rows, problems = read_rows(data, file=file_name, columns=INPUT_COLUMNS)
    staff = {s.staff_no: s for s in Staff.objects.all()}
    frozen = set(PayrollRun.objects.exclude(status=PayrollRun.Status.DRAFT).values_list("period", flat=True))
    parsed, seen = [], {}
    for row in rows:
        v = row.values

        def bad(column, message):
            problems.append(Problem(message, file=file_name, line=row.line, column=column))

        try:
            period = parse_period(v["period"] or "").label
            if len(period) != 7:
                raise DomainError("not a month")
        except DomainError:
            bad("period", f"'{v['period'] or ''}' is not a month (YYYY-MM)")
            continue
        if period in frozen:
            bad("period", f"payroll {period} is no longer a draft: its inputs cannot change")
        if v["staff_no"] not in staff:
            bad("staff_no", f"unknown staff_no '{v['staff_no'] or ''}'")
        if v["name"] not in ENTERED_INPUTS:
            bad("name", f"unknown input '{v['name'] or ''}' (expected {', '.join(ENTERED_INPUTS)})")
        try:
            value = Decimal(v["value"] or "")
        except InvalidOperation:
            bad("value", f"'{v['value'] or ''}' is not a number")
            continue
        if v["name"] == "compliance_coefficient" and not Decimal(0) <= value <= Decimal(2):
            bad("value", "a compliance coefficient lies between 0 and 2")
        key = (period, v["staff_no"], v["name"])
        if key in seen:
            bad("name", f"{v['name']} for {v['staff_no']} in {period} is given twice (first on line {seen[key]})")
        seen.setdefault(key, row.line)
        parsed.append((period, staff.get(v["staff_no"]), v["name"], value, v["note"] or ""))
    if problems:
        raise InputRejected(sorted(problems, key=lambda p: (p.line or 0, p.column)))
    with transaction.atomic():
        for period, member, name, value, note in parsed:
            PayInput.objects.update_or_create(period=period, staff=member, name=name, defaults={"value": value, "note": note})
        audit_record(actor=actor, action="import", object_type="compensation.payinput", object_id="*",
                     changes={"rows": [None, len(parsed)]}, note=file_name)
    return len(parsed)


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def pay_constant_set(*, actor, constant: PayConstant, value: Decimal) -> PayConstant:
    """Change a configuration constant (e.g. the guaranteed minimum); the next draft calculation uses it."""
    before = snapshot(constant)
    constant.value = value
    constant.full_clean()
    constant.save()
    audit_record(actor=actor, action="update", instance=constant, changes=diff(before, snapshot(constant)))
    return constant


@role_required(PAYROLL_RUNNERS)
@transaction.atomic
def pay_grade_set(*, actor, grade: PayGrade, post_salary: Decimal) -> PayGrade:
    """Change the post salary (岗位工资) of a category and level."""
    if post_salary < 0:
        raise DomainError("a post salary cannot be negative", field="post_salary")
    before = snapshot(grade)
    grade.post_salary = post_salary
    grade.full_clean()
    grade.save()
    audit_record(actor=actor, action="update", instance=grade, changes=diff(before, snapshot(grade)))
    return grade
