"""Pages of the research library: list and search, a report, upload, push; and the tracked link customers open."""
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role, require_role
from brokercrm.org.facade import RESEARCH_DISTRIBUTORS, RESEARCH_EDITORS
from brokercrm.research import selectors, services
from brokercrm.research.forms import ReportPushForm, ReportUploadForm
from brokercrm.research.models import ResearchReport


def file_response(report, *, inline: bool) -> HttpResponse:
    """The report's stored file, shown in the browser or as a download."""
    response = HttpResponse(bytes(report.content), content_type=report.content_type)
    response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(report.file_name)}"
    return response


@require_GET
def library_page(request):
    q = request.GET.get("q", "").strip()
    filters = {name: request.GET.get(name, "") for name, choices in (("report_type", ResearchReport.ReportType), ("audience", ResearchReport.Audience))
               if request.GET.get(name, "") in choices.values}
    context = {"q": q, "can_upload": has_role(request.user, RESEARCH_EDITORS), "filters": filters,
               "types": ResearchReport.ReportType.choices, "audiences": ResearchReport.Audience.choices}
    if q:
        context["hits"] = selectors.report_search(user=request.user, q=q, **filters)
    else:
        context["page"] = Paginator(selectors.report_list(user=request.user).filter(**filters), 25).get_page(request.GET.get("page"))
    return render(request, "research/library.html", context)


@require_GET
def report_page(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    can_push = report.audience == report.Audience.CLIENTS and has_role(request.user, RESEARCH_DISTRIBUTORS)
    sent, opened = selectors.delivery_counts(user=request.user, report=report)
    return render(request, "research/report.html", {
        "report": report, "push_form": ReportPushForm() if can_push else None, "sent": sent, "opened": opened,
        "deliveries": selectors.delivery_list(user=request.user, report=report)[:200]})


@require_GET
def report_file_page(request, report_id: int):
    return file_response(selectors.report_get(user=request.user, report_id=report_id), inline=request.GET.get("download") != "1")


@require_http_methods(["GET", "POST"])
def report_upload_page(request):
    require_role(request.user, RESEARCH_EDITORS)
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            report = services.report_import(actor=request.user, file_name=upload.name, data=upload.read(), **data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Report stored and indexed."))
            return redirect("research:report", report.pk)
    return render(request, "research/upload.html", {"form": form})


@require_POST
def report_push_page(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    form = ReportPushForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a channel."))
        return redirect("research:report", report.pk)
    try:
        result = services.report_push(actor=request.user, report_id=report.pk, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(queued)d messages queued for %(matched)d matching customers (%(no_address)d without an address, "
                                    "%(already)d already sent this report).") % {
            "queued": result.queued, "matched": result.matched, "no_address": result.no_address, "already": result.already_sent})
    return redirect("research:report", report.pk)


@require_GET
def open_page(request, token: str):
    """The link in a customer's message: no login (the token is the key); records the open and shows the report."""
    report = services.delivery_open(token=token)
    if report is None:
        raise Http404
    return file_response(report, inline=True)
