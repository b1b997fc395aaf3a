"""Servicing pages: thin views over the selectors (scoped reads) and services (audited writes, role-checked)."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core.errors import DomainError, InputRejected, RateLimited
from brokercrm.core.permissions import has_role, require_role
from brokercrm.customers.facade import customer_get
from brokercrm.org.facade import (
    ALERT_RULE_READERS, CALL_CENTRE_AGENTS, SERVICE_CONFIGURERS, SERVICE_OVERSEERS, SERVICE_WORKERS, SPOT_CHECKERS, TASK_ASSIGNERS, staff_list,
)
from brokercrm.servicing import rules, selectors
from brokercrm.servicing.contents import reason_label
from brokercrm.servicing import advice as advice_services
from brokercrm.servicing.effect import strategy_effect
from brokercrm.servicing.tasks import strategy_run_task
from brokercrm.servicing.forms import (
    AdviceForm, AlertResolveForm, CallRecordForm, ManualTaskForm, ModelPortfolioForm, StrategyTextForm, VisitPolicyForm, SpotCheckForm, StrategyForm, TaskAssignForm, TaskCompleteForm,
)
from brokercrm.servicing.models import Alert, ChannelConfig, OutboxMessage, RuleCode, ServiceTask, Strategy
from brokercrm.servicing.services import alerts as alert_services
from brokercrm.servicing.services import calls as call_services
from brokercrm.servicing.services import outbox as outbox_services
from brokercrm.servicing.services import strategies as strategy_services
from brokercrm.servicing.services import tasks as task_services

def _apply(form, action) -> bool:
    """Run a service with the form's data; its domain errors land on the field they name."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except InputRejected as exc:
        for problem in exc.problems:
            form.add_error(problem.field if problem.field in form.fields else None, str(problem))
        return False
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True


def my_work_page(request):
    today = timezone.localdate()
    return render(request, "servicing/my_work.html", {"today": today, **selectors.my_work(user=request.user, today=today)})


def alert_inbox_page(request):
    status = request.GET.get("status", Alert.Status.OPEN)
    alerts = selectors.alert_list(user=request.user, status=status if status != "all" else "", rule=request.GET.get("rule", ""),
                                  mine=request.GET.get("mine") == "1")
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    return render(request, "servicing/alerts.html", {"page": page, "rules": RuleCode.choices, "status": status,
                                                     "statuses": Alert.Status.choices, "form": AlertResolveForm()})


@require_http_methods(["GET", "POST"])
def alert_detail_page(request, alert_id: int):
    alert = selectors.alert_get(user=request.user, alert_id=alert_id)
    form = AlertResolveForm(request.POST or None)
    if request.method == "POST":
        if _apply(form, lambda d: alert_services.alert_resolve(actor=request.user, alert=alert, outcome=d["outcome"], note=d["note"])):
            messages.success(request, _("Alert resolved."))
            return redirect("servicing:alerts")
    return render(request, "servicing/alert_detail.html", {"alert": alert, "form": form})


def task_list_page(request):
    status = request.GET.get("status", ServiceTask.Status.OPEN)
    tasks = selectors.task_list(user=request.user, status=status if status != "all" else "", kind=request.GET.get("kind", ""),
                                mine=request.GET.get("mine") == "1")
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(request, "servicing/tasks.html", {"page": page, "kinds": ServiceTask.Kind.choices, "status": status,
                                                    "statuses": ServiceTask.Status.choices, "today": timezone.localdate()})


def visit_list_page(request):
    visits = selectors.task_list(user=request.user, status=ServiceTask.Status.DONE, visits_only=True,
                                 kind=request.GET.get("kind", "")).order_by("-done_at", "-id")
    check = request.GET.get("check", "")
    if check:
        visits = visits.filter(check_status=check)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(request, "servicing/visits.html", {"page": page, "checks": ServiceTask.Check.choices,
                                                     "kinds": [k for k in ServiceTask.Kind.choices if k[0] in ServiceTask.VISIT_KINDS]})


@require_http_methods(["GET", "POST"])
def task_detail_page(request, task_id: int):
    if request.method == "POST":
        # a spot check is the overseers' (compliance among them); completing and assigning are the service workers'
        require_role(request.user, SPOT_CHECKERS if request.POST.get("action") == "check" else SERVICE_WORKERS)
    task = selectors.task_get(user=request.user, task_id=task_id)
    staff = staff_list(user=request.user, active_only=True)
    complete = TaskCompleteForm(request.POST if request.POST.get("action") == "complete" else None)
    assign = TaskAssignForm(request.POST if request.POST.get("action") == "assign" else None, staff_queryset=staff)
    check = SpotCheckForm(request.POST if request.POST.get("action") == "check" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        done = False
        if action == "complete":
            done = _apply(complete, lambda d: task_services.task_complete(actor=request.user, task=task, outcome=d["outcome"], note=d["note"]))
        elif action == "assign":
            done = _apply(assign, lambda d: task_services.task_assign(actor=request.user, task=task, staff=d["staff"], due_date=d["due_date"]))
        elif action == "check":
            done = _apply(check, lambda d: task_services.task_spot_check(actor=request.user, task=task, passed=d["passed"], note=d["note"]))
        if done:
            messages.success(request, _("Saved."))
            return redirect("servicing:task_detail", task_id=task.pk)
    return render(request, "servicing/task_detail.html", {
        "task": task, "complete": complete, "assign": assign, "check": check,
        "can_assign": has_role(request.user, TASK_ASSIGNERS), "can_check": has_role(request.user, SPOT_CHECKERS),
        "calls": task.calls.all(), "messages_sent": task.messages.all()})


def outbox_page(request):
    msgs = selectors.outbox_list(user=request.user, status=request.GET.get("status", ""), channel=request.GET.get("channel", ""))
    page = Paginator(msgs, 50).get_page(request.GET.get("page"))
    counts = selectors.outbox_counts(user=request.user)
    return render(request, "servicing/outbox.html", {"page": page, "counts": [(label, counts.get(code, 0)) for code, label in OutboxMessage.Status.choices],
                                                     "statuses": OutboxMessage.Status.choices, "channels": ChannelConfig.Code.choices})


@require_POST
def outbox_requeue_page(request, message_id: int):
    """An operator sends an interrupted or failed message again after checking it did not arrive."""
    message = get_object_or_404(selectors.outbox_list(user=request.user), pk=message_id)
    try:
        outbox_services.message_requeue(actor=request.user, message=message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Message queued again."))
    return redirect("servicing:outbox")


@require_http_methods(["GET", "POST"])
def strategy_page(request):
    if request.method == "POST":
        require_role(request.user, SERVICE_CONFIGURERS)  # refused before the form is read, as the service would
    form = StrategyForm(request.POST or None)
    if request.method == "POST":
        created = []
        if _apply(form, lambda d: created.append(strategy_services.strategy_create(actor=request.user, active=False, **d))):
            messages.success(request, _("Strategy saved. Check its preview, then activate it."))
            return redirect("servicing:strategy_detail", strategy_id=created[0].pk)
    return render(request, "servicing/strategies.html", {"strategies": selectors.strategy_list(), "form": form,
                                                         "can_edit": has_role(request.user, SERVICE_CONFIGURERS)})


@require_POST
def strategy_run_page(request, strategy_id: int):
    """Run a strategy for the business date's period; contents rendered as documents run in the background worker."""
    require_role(request.user, SERVICE_CONFIGURERS)
    strategy = get_object_or_404(selectors.strategy_list(), pk=strategy_id)
    day = task_services.business_today()
    if strategy.active and strategy.content in strategy_services.DOCUMENT_CONTENTS and strategy.channel == Strategy.Channel.EMAIL:
        transaction.on_commit(lambda: strategy_run_task.enqueue(strategy.pk, day.isoformat(), request.user.username))
        messages.success(request, _("The run is queued: the worker renders the reports and queues the e-mails."))
        return redirect("servicing:strategy_detail", strategy_id=strategy.pk)
    try:
        result = strategy_services.strategy_run(actor=request.user, strategy=strategy, period=day)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(t)d tasks and %(m)d messages created.") % {"t": result.tasks, "m": result.messages})
    return redirect("servicing:strategies")


@require_http_methods(["GET", "POST"])
def alert_rules_page(request):
    require_role(request.user, ALERT_RULE_READERS)
    overrides = selectors.alert_rule_overrides()
    problems = []
    if request.method == "POST":
        code = request.POST.get("code", "")
        params = {name: request.POST.get(name, "").strip() for name in rules.DEFAULTS.get(code, {}) if request.POST.get(name, "").strip()}
        try:
            alert_services.alert_rule_update(actor=request.user, code=code, enabled=request.POST.get("enabled") == "1", parameters=params)
        except InputRejected as exc:
            problems = exc.problems
        except DomainError as exc:
            problems = [exc]
        else:
            messages.success(request, _("Rule saved."))
            return redirect("servicing:alert_rules")
    rows = []
    for code, label in RuleCode.choices:
        row = overrides.get(code)
        stored = row.parameters if row else {}
        rows.append({"code": code, "label": label, "enabled": row.enabled if row else True,
                     "parameters": [(name, stored.get(name, default), default) for name, (default, _kind) in rules.DEFAULTS[code].items()]})
    return render(request, "servicing/alert_rules.html", {"rows": rows, "problems": problems,
                                                          "can_edit": has_role(request.user, SERVICE_CONFIGURERS)})


@require_http_methods(["GET", "POST"])
def strategy_detail_page(request, strategy_id: int):
    """A strategy with its preview (who would be served, blocked and why) before it is activated, and its effect."""
    require_role(request.user, SERVICE_OVERSEERS)
    strategy = get_object_or_404(selectors.strategy_list(), pk=strategy_id)
    text_form = StrategyTextForm(request.POST if request.POST.get("action") == "text" else None, instance=strategy)
    if request.method == "POST":
        require_role(request.user, SERVICE_CONFIGURERS)
        if request.POST.get("action") == "text":
            if _apply(text_form, lambda d: strategy_services.strategy_text_update(actor=request.user, strategy=strategy, **d)):
                messages.success(request, _("Saved."))
                return redirect("servicing:strategy_detail", strategy_id=strategy.pk)
        else:
            strategy_services.strategy_activate(actor=request.user, strategy=strategy, active=request.POST.get("active") == "1")
            messages.success(request, _("Strategy activated.") if strategy.active else _("Strategy paused."))
            return redirect("servicing:strategy_detail", strategy_id=strategy.pk)
    day = task_services.business_today()
    try:
        rows = strategy_services.strategy_preview(strategy=strategy, day=day)
        problem = ""
    except DomainError as exc:
        rows, problem = [], exc.message
    blocked, reasons = {}, {}
    for r in rows:
        if r.blocked_reason:
            blocked[r.blocked_reason] = blocked.get(r.blocked_reason, 0) + 1
        for code in r.reasons:
            reasons[code] = reasons.get(code, 0) + 1
    return render(request, "servicing/strategy_detail.html", {
        "strategy": strategy, "day": day, "total": len(rows), "problem": problem,
        "served": len(rows) - sum(blocked.values()), "blocked": sorted(blocked.items()),
        "reasons": [(reason_label(code), n) for code, n in sorted(reasons.items())],
        "preview": [(r, "、".join(str(reason_label(code)) for code in r.reasons)) for r in rows[:200]],
        "blocked_labels": strategy_services.BLOCKED_LABELS, "can_edit": has_role(request.user, SERVICE_CONFIGURERS),
        "effect": strategy_effect(strategy), "text_form": text_form})


def desk_page(request):
    """The call-centre desk (呼叫中心坐席): the shared queue, the agent's outbound call list, the screen-pop box."""
    require_role(request.user, CALL_CENTRE_AGENTS)
    return render(request, "servicing/desk.html", {"queue": selectors.call_queue(user=request.user)[:200],
                                                   "outbound": selectors.outbound_calls(user=request.user)[:200],
                                                   "today": task_services.business_today()})


@require_POST
def desk_take_page(request, task_id: int):
    require_role(request.user, CALL_CENTRE_AGENTS)
    task = selectors.task_get(user=request.user, task_id=task_id)
    try:
        task_services.task_take(actor=request.user, task=task)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("servicing:desk")
    return redirect("servicing:desk_task", task_id=task.pk)


def _call_form_page(request, *, customer, task, phone: str, direction: str, template_context: dict):
    form = CallRecordForm(request.POST or None)
    if request.method == "POST":
        require_role(request.user, SERVICE_WORKERS)
        if _apply(form, lambda d: call_services.call_record_with_follow_up(
                actor=request.user, customer=customer, direction=direction, phone=phone, started_at=timezone.now(),
                duration_seconds=d["duration_seconds"], outcome=d["outcome"], note=d["note"], task=task,
                complete_task=d["complete_task"], follow_up_title=d["follow_up_title"], follow_up_due=d["follow_up_due"])):
            messages.success(request, _("Call recorded."))
            return redirect("servicing:desk")
    return render(request, "servicing/desk_card.html", {"card": selectors.desk_card(user=request.user, customer=customer),
                                                        "form": form, "task": task, **template_context})


@require_http_methods(["GET", "POST"])
def desk_task_page(request, task_id: int):
    """A task's customer card (masked) and the call record form: an agent sees the card of their task's customer only."""
    if request.method == "POST":
        require_role(request.user, SERVICE_WORKERS)
    task = selectors.task_get(user=request.user, task_id=task_id)
    if has_role(request.user, CALL_CENTRE_AGENTS) and task.staff_id != request.user.staff_id:
        raise Http404("take the task from the queue first")
    return _call_form_page(request, customer=task.customer, task=task if task.status == ServiceTask.Status.OPEN else None,
                           phone=task.customer.mobile, direction="outbound", template_context={})


@require_http_methods(["GET", "POST"])
def desk_pop_page(request):
    """Screen pop: type (or receive) the caller's number → the masked customer card, audited and rate-limited."""
    if request.method == "POST":
        require_role(request.user, SERVICE_WORKERS)  # recording the call: refused before anything is read
    number = (request.POST.get("number") or request.GET.get("number") or "").strip()
    if not number:
        return redirect("servicing:desk")
    try:
        customer = selectors.customer_by_phone(user=request.user, phone=number)
    except RateLimited as exc:
        messages.error(request, exc.message)
        return redirect("servicing:desk")
    return _call_form_page(request, customer=customer, task=None, phone=number, direction="inbound",
                           template_context={"number": number})


@require_POST
def customer_task_create_page(request, customer_no: str):
    """A task created by hand from the customer's 360 page, for the user (or a staff member they choose)."""
    require_role(request.user, SERVICE_WORKERS)
    customer = customer_get(user=request.user, customer_no=customer_no)
    form = ManualTaskForm(request.POST)
    if _apply(form, lambda d: task_services.task_create(actor=request.user, customer_id=customer.id, title=d["title"],
                                                         due_date=d["due_date"])):
        messages.success(request, _("Task created."))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in form.errors.items()))
    return redirect(f"/customers/{customer.customer_no}/")


@require_http_methods(["GET", "POST"])
def advice_page(request):
    """Advice (投顾建议) waiting for or decided by compliance, a form to submit one, and the model portfolios."""
    require_role(request.user, SERVICE_OVERSEERS)
    can_edit = has_role(request.user, SERVICE_CONFIGURERS)
    action = request.POST.get("action")
    if request.method == "POST":
        require_role(request.user, SERVICE_CONFIGURERS)
    form = AdviceForm(request.POST if action == "advice" else None)
    portfolio = ModelPortfolioForm(request.POST if action == "portfolio" else None)
    if action == "advice" and _apply(form, lambda d: advice_services.advice_submit(actor=request.user, **d)):
        messages.success(request, _("Advice sent to compliance for approval."))
        return redirect("servicing:advice")
    if action == "portfolio" and _apply(portfolio, lambda d: advice_services.model_portfolio_set(
            actor=request.user, risk_level=d["risk_level"], weights={k: d[k] for k in advice_services.ASSET_CLASSES})):
        messages.success(request, _("Model portfolio saved."))
        return redirect("servicing:advice")
    return render(request, "servicing/advice.html", {"advices": selectors.advice_list()[:100], "portfolios": selectors.model_portfolios(),
                                                     "classes": advice_services.ASSET_CLASSES, "form": form,
                                                     "portfolio_form": portfolio, "can_edit": can_edit})


@require_http_methods(["GET", "POST"])
def visit_policy_page(request):
    """Which key-customer, exception visits and care the load generates; head office and admin change it."""
    require_role(request.user, SERVICE_OVERSEERS)
    if request.method == "POST":
        require_role(request.user, SERVICE_CONFIGURERS)
    policy = task_services.visit_policy()
    form = VisitPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and _apply(form, lambda d: task_services.visit_policy_update(actor=request.user, **d)):
        messages.success(request, _("Saved."))
        return redirect("servicing:visit_policy")
    return render(request, "servicing/visit_policy.html", {"form": form, "can_edit": has_role(request.user, SERVICE_CONFIGURERS)})
