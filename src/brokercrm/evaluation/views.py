"""Evaluation pages: indicator library, schemes, runs with rankings, drill-down score → indicator → customers → trades."""
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokercrm.core.errors import DomainError
from brokercrm.core.exports import csv_response, write_xlsx, xlsx_response
from brokercrm.core.permissions import has_role, require_role
from brokercrm.core.views import run_or_flash
from brokercrm.evaluation import appeals, selectors, services, targets
from brokercrm.evaluation.forms import CopyForm, ItemForm, RunForm, YamlImportForm
from brokercrm.evaluation.indicators import BY_NAME, INDICATORS
from brokercrm.evaluation.models import Target
from brokercrm.org.facade import EVALUATION_MANAGERS, EVALUATION_RUNNERS, staff_categories


def home_page(request):
    schemes = selectors.scheme_list()
    form = RunForm(schemes=schemes)
    return render(request, "evaluation/home.html", {"indicators": INDICATORS, "schemes": schemes, "form": form,
                                                    "runs": selectors.run_list(user=request.user)[:30],
                                                    "can_manage": has_role(request.user, EVALUATION_MANAGERS), "import_form": YamlImportForm(),
                                                    "can_run": has_role(request.user, EVALUATION_RUNNERS)})


@require_POST
def run_create(request):
    require_role(request.user, EVALUATION_RUNNERS)  # the service narrows a branch manager or team leader to their staff
    schemes = selectors.scheme_list()
    form = RunForm(request.POST, schemes=schemes)
    if form.is_valid():
        try:
            run = services.evaluation_run(actor=request.user, scheme=selectors.scheme_get(code=form.cleaned_data["scheme"]),
                                          period=form.cleaned_data["period"], branch_code=form.cleaned_data["branch_code"])
        except DomainError as exc:
            messages.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)
        else:
            messages.success(request, _("Evaluation %(run)s: %(n)d staff scored.") % {"run": run, "n": run.scores.count()})
            return redirect("evaluation:run", run_id=run.pk)
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("evaluation:home")


def scheme_page(request, code: str):
    scheme = selectors.scheme_get(code=code)
    items = list(scheme.items.order_by("order"))
    for item in items:
        item.definition = BY_NAME[item.indicator]
    return render(request, "evaluation/scheme.html", {"scheme": scheme, "items": items, "can_manage": has_role(request.user, EVALUATION_MANAGERS),
                                                      "copy_form": CopyForm(categories=staff_categories().values(),
                                                                            initial={"period_kind": scheme.period_kind})})


@require_POST
def scheme_copy(request, code: str):
    source = selectors.scheme_get(code=code)
    form = CopyForm(request.POST, categories=staff_categories().values())
    if form.is_valid():
        d = form.cleaned_data
        try:
            scheme = services.scheme_copy(actor=request.user, source=source, code=d["code"], name=d["name"],
                                          category=d["category"], level=d["level"], period_kind=d["period_kind"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Scheme %(code)s created.") % {"code": scheme.code})
            return redirect("evaluation:scheme", code=scheme.code)
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("evaluation:scheme", code=code)


def scheme_item_edit(request, code: str, item_id: int):
    require_role(request.user, EVALUATION_MANAGERS)  # the form itself is head office's; saving is checked by the service
    scheme = selectors.scheme_get(code=code)
    item = get_object_or_404(scheme.items, pk=item_id)
    form = ItemForm(request.POST or None, initial={"weight": item.weight, "target": item.target, "mode": item.mode,
                                                   "cap": item.cap, "floor": item.floor, "formula": item.formula})
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_item_update(actor=request.user, item=item, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("evaluation:scheme", code=code)
    return render(request, "evaluation/item_form.html", {"scheme": scheme, "item": item, "form": form,
                                                         "definition": BY_NAME[item.indicator]})


def schemes_export(request):
    response = HttpResponse(services.schemes_export(), content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="schemes.yaml"'
    return response


@require_POST
def schemes_import(request):
    require_role(request.user, EVALUATION_MANAGERS)
    form = YamlImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        count = run_or_flash(request, lambda: services.schemes_import(actor=request.user, data=upload.read(), file_name=upload.name))
        if count is not None:
            messages.success(request, _("%(n)d schemes imported.") % {"n": count})
    return redirect("evaluation:home")


def run_page(request, run_id: int):
    run = selectors.run_get(user=request.user, run_id=run_id)
    scores = list(selectors.score_list(user=request.user, run=run))
    chart = [{"name": f"{s.staff.staff_no} {s.staff.name}", "value": str(s.total)} for s in scores[:20]]
    return render(request, "evaluation/run.html", {"run": run, "scores": scores, "chart": chart})


def score_page(request, run_id: int, staff_no: str):
    run = selectors.run_get(user=request.user, run_id=run_id)
    score = selectors.score_get(user=request.user, run=run, staff_no=staff_no)
    lines = list(score.lines.all())
    for line in lines:
        line.definition = BY_NAME.get(line.indicator)
        # Customers are drilled by month: there is no customer day mart (docs/metrics.md).
        line.drillable = line.definition is not None and line.definition.source == "mart" and run.scheme.period_kind not in ("day", "week")
    return render(request, "evaluation/score.html", {"run": run, "score": score, "lines": lines, "appeals": score.appeals.order_by("-id"),
                                                     "months": run.period if len(run.period) == 7 else ""})


@require_POST
def appeal_create(request, run_id: int, staff_no: str):
    require_role(request.user, EVALUATION_RUNNERS)  # the service also checks the score is in the user's scope
    run = selectors.run_get(user=request.user, run_id=run_id)
    score = selectors.score_get(user=request.user, run=run, staff_no=staff_no)
    try:
        appeals.score_appeal_file(actor=request.user, score=score, requested_total=request.POST.get("requested_total", ""),
                                  reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)
    else:
        messages.success(request, _("Appeal filed: the branch manager decides it in the workflow inbox."))
    return redirect("evaluation:score", run_id=run.pk, staff_no=staff_no)


def drill_page(request, staff_no: str, period: str, indicator: str):
    staff, rows, note = selectors.drill_customers(user=request.user, staff_no=staff_no, period=period, indicator=indicator)
    return render(request, "evaluation/drill.html", {"staff": staff, "rows": rows, "note": note, "period": period,
                                                     "indicator": BY_NAME[indicator]})


def trades_page(request, staff_no: str, period: str, customer_no: str):
    staff, customer, drill = selectors.drill_trades(user=request.user, staff_no=staff_no, period=period, customer_no=customer_no)
    return render(request, "evaluation/trades.html", {"staff": staff, "customer": customer, "drill": drill, "period": period})


def board_page(request):
    """The daily (or weekly: ?kind=week) ranking board within team and branch, in the user's scope."""
    kind = request.GET.get("kind", "day") if request.GET.get("kind") in ("day", "week", "month") else "day"
    runs, period, periods, groups = selectors.board(user=request.user, kind=kind, period=request.GET.get("period", ""))
    return render(request, "evaluation/board.html", {"runs": [(r, groups[r.pk]) for r in runs], "period": period,
                                                     "periods": periods, "kind": kind})


def targets_page(request):
    """指标分解: a period's targets from the company down to the user's staff, with the split and import forms."""
    period = request.GET.get("period") or selectors.latest_target_period()
    rows = targets.target_list(user=request.user, period=period) if period else []
    for t in rows:
        t.shown = f"{t.target:,.2f}"  # money with thousands separators
    return render(request, "evaluation/targets.html", {
        "period": period, "rows": rows, "indicators": INDICATORS, "can_manage": has_role(request.user, EVALUATION_MANAGERS),
        "can_split": has_role(request.user, EVALUATION_RUNNERS), "methods": Target.Method.choices[:3]})


def _parse_manual(text: str) -> dict[str, Decimal]:
    """`KEY=VALUE` per line (the by-hand split)."""
    out = {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            key, _sep, value = line.partition("=")
            try:
                out[key.strip()] = Decimal(value.strip().replace(",", ""))
            except InvalidOperation:
                raise DomainError(f"line {n}: '{value.strip()}' is not a number", field="manual") from None
    return out


@require_POST
def target_create(request):
    require_role(request.user, EVALUATION_MANAGERS)
    period = request.POST.get("period", "")
    try:
        targets.target_set_company(actor=request.user, period=period, indicator=request.POST.get("indicator", ""),
                                   target=Decimal(request.POST.get("target", "").replace(",", "") or "-1"))
    except (DomainError, InvalidOperation) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect(f"{reverse('evaluation:targets')}?period={period}")


@require_POST
def target_split(request, target_id: int):
    require_role(request.user, EVALUATION_RUNNERS)  # the service checks the target is the user's to split
    parent = targets.target_get(user=request.user, target_id=target_id)
    try:
        children = targets.target_split(actor=request.user, parent=parent, to_scope=request.POST.get("to_scope", ""),
                                        method=request.POST.get("method", ""), manual=_parse_manual(request.POST.get("manual", "")))
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)
    else:
        messages.success(request, _("Split into %(n)d parts, waiting for the level above's approval.") % {"n": len(children)})
    return redirect(f"{reverse('evaluation:targets')}?period={parent.period}")


def targets_export(request):
    """The approved targets of the period in the user's view, as CSV or (?format=xlsx) Excel."""
    period = request.GET.get("period", "")
    rows = [[t.period, t.scope, t.key, t.indicator, t.target] for t in targets.target_list(user=request.user, period=period)
            if t.status == Target.Status.APPROVED]
    if request.GET.get("format") == "xlsx":
        data, _count = write_xlsx([(period or "targets", targets.TARGET_COLUMNS, rows)])
        return xlsx_response(data, filename=f"targets-{period}.xlsx")
    return csv_response(rows, targets.TARGET_COLUMNS, filename=f"targets-{period}.csv")


@require_POST
def targets_import(request):
    require_role(request.user, EVALUATION_MANAGERS)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return redirect("evaluation:targets")
    count = run_or_flash(request, lambda: targets.targets_import(actor=request.user, data=upload.read(), file_name=upload.name))
    if count is not None:
        messages.success(request, _("%(n)d targets imported.") % {"n": count})
    return redirect("evaluation:targets")


def levels_page(request):
    """职级评定: the rules, the probation targets and the level changes of the user's staff (decided in the workflow inbox)."""
    rules, probation = selectors.level_rules()
    return render(request, "evaluation/levels.html", {"rules": rules, "probation": probation,
                                                      "changes": selectors.level_changes(user=request.user)[:200]})
