"""Compensation pages: payroll runs and their approval path, payslips explained line by line, pay rules."""
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokercrm.compensation import costbenefit, selectors, services
from brokercrm.compensation.calc import PAY_INPUTS
from brokercrm.compensation.exports import export_workbook
from brokercrm.compensation.forms import CommentForm, CopyForm, FormulaForm, PayInputForm, PeriodForm, PreviewForm, YamlImportForm
from brokercrm.compensation.models import PayConstant, PayGrade, PayRule
from brokercrm.compensation.payroll import compute_payroll
from brokercrm.core.errors import DomainError
from brokercrm.core.exports import xlsx_response
from brokercrm.core.permissions import has_role, require_role
from brokercrm.core.views import run_or_flash
from brokercrm.evaluation import facade as evaluation
from brokercrm.org.facade import COST_BENEFIT_READERS, PAYROLL_RUNNERS, Branch, staff_categories, staff_get


def _runner(request) -> bool:
    """Whether to offer head office's buttons; the services check the role themselves."""
    return has_role(request.user, PAYROLL_RUNNERS)


def _error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def home_page(request):
    return render(request, "compensation/home.html", {"runs": selectors.run_list(user=request.user), "form": PeriodForm(),
                                                      "can_run": _runner(request)})


@require_POST
def run_calculate(request):
    require_role(request.user, PAYROLL_RUNNERS)
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            run = services.payroll_run_calculate(actor=request.user, period=form.cleaned_data["period"])
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Payroll %(period)s calculated.") % {"period": run.period})
            return redirect("compensation:run", period=run.period)
    return redirect(request.POST.get("next") or "compensation:home")


def run_page(request, period: str):
    run = selectors.run_get(user=request.user, period=period)
    payslips = Paginator(selectors.payslip_list(user=request.user, run=run), 100).get_page(request.GET.get("page"))
    approvals = list(run.approvals.select_related("branch", "approved_by"))
    for a in approvals:
        a.can_approve = run.status == "review" and not a.approved_at and services.may_decide(user=request.user, run=run, branch=a.branch)
    totals = selectors.branch_totals(user=request.user, run=run)
    chart = [{"branch": t["branch__code"], "gross": f"{t['gross']:.2f}", "net": f"{t['net']:.2f}"} for t in totals]
    return render(request, "compensation/run.html", {
        "run": run, "payslips": payslips, "totals": totals, "chart": chart,
        "approvals": approvals, "steps": run.steps.all(), "can_run": _runner(request), "comment_form": CommentForm(),
        "input_form": PayInputForm(), "can_reject": any(getattr(a, "can_approve", False) for a in approvals),
    })


@require_POST
def run_action(request, period: str, action: str):
    run = selectors.run_get(user=request.user, period=period)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            services.payroll_run_submit(actor=request.user, run=run, comment=comment)
        elif action == "lock":
            services.payroll_run_lock(actor=request.user, run=run, comment=comment)
        elif action == "reject":
            services.payroll_run_reject(actor=request.user, run=run, comment=comment)
        elif action == "approve":
            branch = get_object_or_404(Branch, code=request.POST.get("branch", ""))
            services.payroll_branch_approve(actor=request.user, run=run, branch=branch, comment=comment)
        elif action == "recalculate":
            services.payroll_run_calculate(actor=request.user, period=run.period)
        elif action == "input":
            form = PayInputForm(request.POST)
            if not form.is_valid():
                raise DomainError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
            d = form.cleaned_data
            staff = staff_get(user=request.user, staff_no=d["staff_no"])
            services.pay_input_set(actor=request.user, period=run.period, staff=staff, name=d["name"], value=d["value"], note=d["note"])
        else:
            raise DomainError(f"unknown action {action}")
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("compensation:run", period=period)


def run_workbook(request, period: str):
    run = selectors.run_get(user=request.user, period=period)
    data = export_workbook(run, selectors.payslip_list(user=request.user, run=run))
    return xlsx_response(data, filename=f"payroll-{run.period}.xlsx")


def _explained(lines):
    out = []
    for line in lines:
        line.explained_inputs = [{"name": k, "value": v, "lineage": line.lineage.get(k, {}),
                                  "meaning": PAY_INPUTS.get(k, "")} for k, v in line.inputs.items()]
        out.append(line)
    return out


def payslip_page(request, period: str, staff_no: str):
    run = selectors.run_get(user=request.user, period=period)
    payslip = selectors.payslip_get(user=request.user, run=run, staff_no=staff_no)
    return render(request, "compensation/payslip.html", {"run": run, "payslip": payslip, "lines": _explained(payslip.lines.all())})


def rules_page(request):
    require_role(request.user, PAYROLL_RUNNERS)
    return render(request, "compensation/rules.html", selectors.rules_overview() | {
        "import_form": YamlImportForm(), "copy_form": CopyForm(categories=staff_categories().values()), "inputs": PAY_INPUTS})


def rules_export(request):
    require_role(request.user, PAYROLL_RUNNERS)
    response = HttpResponse(services.pay_rules_export(), content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pay_rules.yaml"'
    return response


@require_POST
def rules_import(request):
    require_role(request.user, PAYROLL_RUNNERS)
    form = YamlImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        counts = run_or_flash(request, lambda: services.pay_rules_import(actor=request.user, data=upload.read(),
                                                                         file_name=upload.name))
        if counts is not None:
            messages.success(request, ", ".join(f"{v} {k}" for k, v in counts.items()))
    return redirect("compensation:rules")


def structure_page(request, code: str):
    require_role(request.user, PAYROLL_RUNNERS)
    structure = selectors.structure_get(code=code)
    preview = None
    preview_form = PreviewForm(request.GET or None)
    if request.GET and preview_form.is_valid():
        staff = staff_get(user=request.user, staff_no=preview_form.cleaned_data["staff_no"])
        try:
            result = compute_payroll(preview_form.cleaned_data["period"], only=[staff.staff_no], structure=structure)
        except DomainError as exc:
            preview_form.add_error(None, exc.message)
        else:
            preview = result.payslips[0] if result.payslips else None
            if preview is None:
                preview_form.add_error("staff_no", _("not employed in that month"))
    return render(request, "compensation/structure.html", {"structure": structure, "rules": structure.rules.select_related("item").order_by("order"),
                                                           "preview_form": preview_form, "preview": preview,
                                                           "copy_form": CopyForm(categories=staff_categories().values())})


def rule_edit(request, code: str, rule_id: int):
    require_role(request.user, PAYROLL_RUNNERS)
    structure = selectors.structure_get(code=code)
    rule = get_object_or_404(PayRule.objects.select_related("item"), pk=rule_id, structure=structure)
    form = FormulaForm(request.POST or None, initial={"formula": rule.formula})
    if request.method == "POST" and form.is_valid():
        try:
            services.pay_rule_update(actor=request.user, rule=rule, formula=form.cleaned_data["formula"])
        except DomainError as exc:
            form.add_error("formula", exc.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("compensation:structure", code=code)
    return render(request, "compensation/rule_form.html", {"structure": structure, "rule": rule, "form": form, "inputs": PAY_INPUTS})


@require_POST
def structure_copy(request, code: str):
    source = selectors.structure_get(code=code)
    form = CopyForm(request.POST, categories=staff_categories().values())
    if form.is_valid():
        d = form.cleaned_data
        try:
            structure = services.pay_structure_copy(actor=request.user, source=source, code=d["code"], name=d["name"],
                                                    category=d["category"], level=d["level"])
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Pay structure %(code)s created and active.") % {"code": structure.code})
            return redirect("compensation:structure", code=structure.code)
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("compensation:structure", code=code)


@require_POST
def constant_edit(request, name: str):
    constant = get_object_or_404(PayConstant, name=name)
    try:
        services.pay_constant_set(actor=request.user, constant=constant, value=Decimal(request.POST.get("value", "")))
    except (InvalidOperation, ValueError):
        messages.error(request, _("%(name)s: not a number") % {"name": name})
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Changes saved."))
    return redirect("compensation:rules")


@require_POST
def grade_edit(request, grade_id: int):
    grade = get_object_or_404(PayGrade, pk=grade_id)
    try:
        services.pay_grade_set(actor=request.user, grade=grade, post_salary=Decimal(request.POST.get("post_salary", "")))
    except (InvalidOperation, ValueError):
        messages.error(request, _("post salary: not a number"))
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Changes saved."))
    return redirect("compensation:rules")


def my_page(request):
    """我的考核与薪酬: the signed-in staff member's standing (evaluation) and their approved payslips with lineage."""
    staff = getattr(request.user, "staff", None)
    if staff is None:
        return render(request, "compensation/me.html", {"staff": None})
    payslips = selectors.my_payslips(user=request.user)
    return render(request, "compensation/me.html", {"staff": staff, "standing": evaluation.my_standing(staff), "payslips": payslips})


def cost_benefit_page(request):
    """成本收益分析: income against cost per staff member, team or branch for a month or a year, with the year's trend."""
    require_role(request.user, COST_BENEFIT_READERS)
    period = request.GET.get("period") or (selectors.latest_payroll_period() or "")
    level = request.GET.get("level", "staff")
    rows, trend, error = [], [], ""
    if period:
        try:
            rows = costbenefit.cost_benefit(user=request.user, period=period, level=level)
            trend = costbenefit.trend(user=request.user, year=period[:4])
        except DomainError as exc:
            error = exc.message
    return render(request, "compensation/cost_benefit.html", {"period": period, "level": level, "rows": rows, "trend": trend,
                                                              "error": error, "levels": costbenefit.LEVELS})
