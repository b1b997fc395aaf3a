"""The scheduling console (调度控制台): runs with live progress, quarantine, rerun/backfill, schedules, source configs."""
import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.widgets import DateInput
from brokercrm.datacenter import calendar, selectors, services
from brokercrm.datacenter.models import JobRun
from brokercrm.datacenter.notices import calendar_warning_text
from brokercrm.org.facade import CALENDAR_EDITORS

CONSOLE_READERS = {"admin", "head_office"}


def _require(request, *, write: bool = False) -> None:
    if request.user.role not in ({"admin"} if write else CONSOLE_READERS):
        raise PermissionDenied


class EtlRequestForm(forms.Form):
    source = forms.CharField(label=gettext_lazy("Delivery directory"))
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())


class ScheduleForm(forms.Form):
    source = forms.CharField(label=gettext_lazy("Delivery directory"))
    cron = forms.CharField(label=gettext_lazy("Cron expression"), initial="30 18 * * 1-5",
                           help_text=gettext_lazy("minute hour day month weekday"))
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)


class ClosuresImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Closures file (CSV: date,reason)"))
    year = forms.IntegerField(label=gettext_lazy("Year (only for a file without closures)"), required=False,
                              min_value=1990, max_value=2999)


class SourceConfigurationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"))
    yaml_text = forms.CharField(label=gettext_lazy("Configuration (YAML)"), widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace"}))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


def _runs_context(request) -> dict:
    runs = selectors.job_run_list(job=request.GET.get("job", ""), status=request.GET.get("status", ""))
    return {"page": Paginator(runs, 25).get_page(request.GET.get("page")), "statuses": JobRun.Status.choices}


def _calendar_warning() -> str:
    warning = calendar.calendar_warning()
    return calendar_warning_text(warning) if warning else ""


def console_page(request):
    _require(request)
    last_source = selectors.job_run_list(job="ingest").values_list("parameters", flat=True).first() or {}
    context = {**_runs_context(request), "summary": selectors.loaded_days_summary(), "calendar_warning": _calendar_warning(),
               "load_state": selectors.load_state(),
               "form": EtlRequestForm(initial={"source": last_source.get("source", "")}),
               "quarantine": selectors.quarantine_list()[:50]}
    return render(request, "datacenter/console.html", context)


def runs_fragment(request):
    """The runs table alone, polled by htmx for live progress."""
    _require(request)
    return render(request, "datacenter/_runs.html", _runs_context(request))


def run_detail_page(request, run_id: int):
    _require(request)
    run = selectors.job_run_get(run_id=run_id)
    return render(request, "datacenter/run_detail.html", {"run": run, "quarantine": selectors.quarantine_list(run=run)[:500]})


@require_POST
def run_cancel(request, run_id: int):
    _require(request, write=True)
    try:
        services.job_run_cancel(actor=request.user, run=selectors.job_run_get(run_id=run_id))
        messages.success(request, _("Cancellation requested."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("datacenter:console")


@require_POST
def etl_request(request):
    """Rerun a day or backfill a range: queued for the worker; progress shows in the runs table."""
    _require(request, write=True)
    form = EtlRequestForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            dates = [d["date_from"]] if d["date_from"] and not d["date_to"] else None
            services.etl_enqueue(actor=request.user, source=d["source"], dates=dates,
                                 date_from=d["date_from"] if d["date_to"] else None, date_to=d["date_to"])
            messages.success(request, _("Job queued."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Please correct the form."))
    return redirect("datacenter:console")


def schedules_page(request):
    _require(request)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST":
        _require(request, write=True)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.schedule_save(actor=request.user, job="etl", cron=d["cron"], parameters={"source": d["source"]}, enabled=d["enabled"])
                messages.success(request, _("Schedule saved."))
                return redirect("datacenter:schedules")
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "datacenter/schedules.html", {"form": form, "schedules": selectors.schedule_list()})


def sources_page(request):
    _require(request)
    from importlib import resources

    shipped = resources.files("brokercrm.datacenter.sources").joinpath("interface_v1.yaml").read_text(encoding="utf-8")
    initial = {"name": "interface_v1", "yaml_text": shipped}
    chosen = selectors.source_configuration_list().filter(name=request.GET.get("name", "")).first()
    if chosen:
        initial = {"name": chosen.name, "yaml_text": chosen.yaml_text, "active": chosen.active}
    form = SourceConfigurationForm(request.POST or None, initial=initial)
    problems = []
    if request.method == "POST":
        _require(request, write=True)
        if form.is_valid():
            try:
                services.source_configuration_save(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Collection configuration saved."))
                return redirect("datacenter:sources")
            except InputRejected as exc:
                problems = exc.problems
    return render(request, "datacenter/sources.html", {"form": form, "problems": problems, "configs": selectors.source_configuration_list()})


def calendar_page(request):
    """A year of the trading calendar (交易日历) for everyone; admin and head office import a year's closures here."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    form = ClosuresImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST":
        services.calendar_require_editor(request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.closures_import(actor=request.user, data=upload.read(), file_name=upload.name,
                                                  years=[form.cleaned_data["year"]] if form.cleaned_data["year"] else [])
            except InputRejected as exc:
                problems = exc.problems
            else:
                for stored, count in result.stored.items():
                    messages.success(request, _("%(year)s: %(count)s closures imported.") % {"year": stored, "count": count})
                for confirmed in result.confirmed:
                    messages.info(request, _("%(year)s agrees with the calendar package, which stays its source; nothing stored.")
                                  % {"year": confirmed})
                shown = max(result.stored or result.confirmed)
                return redirect(f"{request.path}?year={shown}")
    context = {**selectors.calendar_year_get(year=year), "year": year, "form": form, "problems": problems,
               "weekday_names": [pgettext("calendar grid", "Mon"), pgettext("calendar grid", "Tue"), pgettext("calendar grid", "Wed"),
                                 pgettext("calendar grid", "Thu"), pgettext("calendar grid", "Fri"), pgettext("calendar grid", "Sat"),
                                 pgettext("calendar grid", "Sun")],
               "calendar_warning": _calendar_warning(), "can_import": request.user.role in CALENDAR_EDITORS}
    return render(request, "datacenter/calendar.html", context, status=400 if problems else 200)
