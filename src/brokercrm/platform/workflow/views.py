"""Workflow pages: the approver inbox, instance detail with history and decision, process definitions."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.permissions import require_role
from brokercrm.platform.access import access
from brokercrm.platform.workflow import registry, selectors, services
from brokercrm.platform.workflow.forms import DecisionForm, DefinitionUploadForm
from brokercrm.platform.workflow.models import ProcessInstance


def _label(key: str):
    kind = registry.kind(key)
    return kind.label if kind else key


def inbox_page(request):
    """待办: the open tasks the user may decide, with counts by process, and unread notifications."""
    tasks = list(selectors.inbox_tasks(user=request.user))
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t.instance.key] = counts.get(t.instance.key, 0) + 1
        t.process_label = _label(t.instance.key)
    return render(request, "workflow/inbox.html", {
        "tasks": tasks, "counts": [(_label(k), n) for k, n in sorted(counts.items())],
        "notifications": list(selectors.notifications_unread(user=request.user)[:50])})


def inbox_badge(request):
    """The menu badge: the number of open tasks, loaded by htmx so every page shows it without a query of its own."""
    count = selectors.inbox_count(user=request.user)
    if not count:
        return HttpResponse("")
    return HttpResponse(format_html('<span class="badge rounded-pill bg-danger ms-1" data-testid="inbox-badge">{}</span>', count))


def instance_list_page(request):
    instances = selectors.instance_list(user=request.user, status=request.GET.get("status", ""), key=request.GET.get("key", ""))
    if request.GET.get("mine") == "1":
        instances = instances.filter(started_by=request.user)
    page = Paginator(instances, 50).get_page(request.GET.get("page"))
    for instance in page:
        instance.process_label = _label(instance.key)
    return render(request, "workflow/instance_list.html", {"page": page, "statuses": ProcessInstance.Status.choices, "kinds": registry.kinds()})


def instance_detail_page(request, pk: int):
    instance = selectors.instance_get(user=request.user, instance_id=pk)
    open_tasks = [t for t in instance.tasks.select_related("candidate_branch", "assignee") if t.status == t.Status.OPEN]
    actionable = [t for t in open_tasks if services.is_candidate(user=request.user, task=t)]
    kind = registry.kind(instance.key)
    return render(request, "workflow/instance_detail.html", {
        "instance": instance, "steps": instance.steps.select_related("actor"), "open_tasks": open_tasks,
        "task": actionable[0] if actionable else None, "form": DecisionForm(),
        "is_party": services.is_party(user=request.user, instance=instance), "kind": kind,
        "detail_template": kind.detail_template if kind else "", "data": instance.payload,
        "tasks": instance.tasks.select_related("completed_by", "candidate_branch")})


@require_POST
def task_decide_page(request, pk: int):
    task = selectors.task_for_action(user=request.user, task_id=pk)
    form = DecisionForm(request.POST)
    approved = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            instance = services.task_decide(actor=request.user, task=task, approved=approved, comment=form.cleaned_data["comment"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("workflow:instance_detail", pk=task.instance_id)
        messages.success(request, _("Approved.") if approved else _("Rejected."))
        if instance.status == ProcessInstance.Status.COMPLETED:
            messages.info(request, _("All approvals are given: the change is in effect."))
    return redirect("workflow:inbox")


@require_POST
def instance_withdraw_page(request, pk: int):
    instance = selectors.instance_get(user=request.user, instance_id=pk)
    if instance.started_by_id != request.user.pk:
        raise PermissionDenied  # only the applicant withdraws (the service says so too); anyone else is refused outright
    try:
        services.process_withdraw(actor=request.user, instance=instance, comment=request.POST.get("comment", ""))
        messages.success(request, _("Application withdrawn."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("workflow:instance_detail", pk=pk)


@require_POST
def notifications_read_page(request):
    services.notification_read(user=request.user)
    return redirect("workflow:inbox")


@require_http_methods(["GET", "POST"])
def definition_list_page(request):
    """流程定义: every version of every process; admins upload a new version (checked before it is used)."""
    require_role(request.user, access().admins)  # the admin's page; definition_load refuses everyone else too
    form = DefinitionUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            definition, changed = services.definition_load(actor=request.user, data=upload.read(), file_name=upload.name)
        except InputRejected as exc:
            problems = exc.problems
        else:
            if changed:
                messages.success(request, _("Loaded %(key)s version %(version)d; new applications use it.") % {
                    "key": definition.key, "version": definition.version})
            else:
                messages.info(request, _("%(key)s is unchanged (same as version %(version)d).") % {
                    "key": definition.key, "version": definition.version})
            return redirect("workflow:definitions")
    for kind in registry.kinds():
        services.definition_active(kind.key)
    definitions = list(selectors.definition_list())
    for definition in definitions:
        definition.process_label = _label(definition.key)
    return render(request, "workflow/definitions.html", {"definitions": definitions, "form": form, "problems": problems})


def definition_detail_page(request, pk: int):
    require_role(request.user, access().admins)
    definition = selectors.definition_get(pk=pk)
    parsed = services.definition_parse(data=definition.bpmn.encode("utf-8"), file_name=definition.file_name)
    return render(request, "workflow/definition_detail.html", {"definition": definition, "parsed": parsed})


def definition_download(request, pk: int):
    require_role(request.user, access().admins)
    definition = selectors.definition_get(pk=pk)
    response = HttpResponse(definition.bpmn, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{definition.key}-v{definition.version}.bpmn"'
    return response
