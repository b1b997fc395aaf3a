"""Segment pages: thin views over selectors (reads, scoped) and services (writes)."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.analytics import selectors, services
from brokercrm.analytics.engine.build import RULE_NAMES
from brokercrm.analytics.forms import ConfigImportForm, GroupForm, PinEndForm, PinForm, SettingsForm, TierForm
from brokercrm.analytics.models import BehaviourGroup, Tier
from brokercrm.analytics.yamlio import segment_config_export, segment_config_import
from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.permissions import has_role, require_role
from brokercrm.customers.facade import customer_get
from brokercrm.org.facade import SEGMENT_EDITORS, SEGMENT_READERS, TIER_PIN_EDITORS, branch_list


def customer_url(customer_no: str) -> str:
    """The customer's 360° page (the customers app's)."""
    return reverse("customers:detail", args=[customer_no])


def _filters(request) -> dict:
    period = selectors.period_or_latest(request.GET.get("period") or None)
    return {"period": period, "periods": selectors.built_periods(), "branch_code": request.GET.get("branch", ""),
            "branches": branch_list(user=request.user)}


def overview_page(request):
    require_role(request.user, SEGMENT_READERS)
    context = _filters(request)
    if context["period"]:
        overview = selectors.segment_overview(user=request.user, period=context["period"], branch_code=context["branch_code"])
        trend = selectors.segment_trend(user=request.user, branch_code=context["branch_code"])
        context |= {"overview": overview, "trend": trend, "clusters": selectors.cluster_profiles(period=context["period"]),
                    "chart": {"tiers": [{"name": r.label, "customer_share": str(r.customer_share), "assets_share": str(r.assets_share),
                                         "commission_share": str(r.commission_share)} for r in overview["tiers"]],
                              "trend": trend}}
    return render(request, "analytics/overview.html", context)


def migration_page(request):
    require_role(request.user, SEGMENT_READERS)
    context = _filters(request)
    if context["period"]:
        matrix = selectors.migration_matrix(user=request.user, period=context["period"], branch_code=context["branch_code"])
        context |= {"matrix": matrix, "chart": {
            "tiers": [str(t) for t in matrix["tiers"]], "rows": [r["label"] for r in matrix["rows"]],
            "cells": [[j, i, n] for i, r in enumerate(matrix["rows"]) for j, n in enumerate(r["cells"])]}}
    return render(request, "analytics/migration.html", context)


def customers_page(request):
    require_role(request.user, SEGMENT_READERS)
    context = _filters(request)
    tier, group, cluster = request.GET.get("tier", ""), request.GET.get("group", ""), request.GET.get("cluster", "")
    if cluster and not cluster.isdigit():
        raise Http404
    rows = []
    if context["period"]:
        qs = selectors.segment_customers(user=request.user, period=context["period"], tier=tier, group=group,
                                         cluster=int(cluster) if cluster else None, branch_code=context["branch_code"])
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        tiers, groups = selectors.tier_labels(), selectors.group_labels()
        rows = [{"m": m, "url": customer_url(m.customer.customer_no), "tier": tiers.get(m.tier, m.tier),
                 "groups": [groups.get(g, g) for g in m.group_codes]} for m in page]
        context["page"] = page
    context |= {"rows": rows, "tier": tier, "group": group, "cluster": cluster, "tiers": selectors.tier_list(),
                "groups": selectors.group_list(), "segment_label": selectors.tier_labels().get(tier) or selectors.group_labels().get(group)
                or (_("Cluster %(n)s") % {"n": cluster} if cluster else "")}
    return render(request, "analytics/customers.html", context)


def config_page(request):
    require_role(request.user, SEGMENT_READERS)
    return render(request, "analytics/config.html", {
        "tiers": selectors.tier_list(), "groups": selectors.group_list(), "settings": services.segment_settings_get(),
        "can_edit": has_role(request.user, SEGMENT_EDITORS), "rule_names": sorted(RULE_NAMES.items())})


def config_export(request):
    require_role(request.user, SEGMENT_READERS)
    response = HttpResponse(segment_config_export(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="segments.yaml"'
    return response


@require_http_methods(["GET", "POST"])
def config_import_page(request):
    require_role(request.user, SEGMENT_EDITORS)  # the import page itself; the import checks again
    form = ConfigImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            counts = segment_config_import(actor=request.user, data=upload.read(), file_name=upload.name)
        except InputRejected as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Imported %(t)d tiers and %(g)d groups. Recompute the segments to apply them.") % {
                "t": counts["tiers"], "g": counts["groups"]})
            return redirect("analytics:config")
    return render(request, "analytics/config_import.html", {"form": form, "problems": problems})


@require_POST
def recompute_view(request):
    require_role(request.user, SEGMENT_EDITORS)  # the segments job runs as the system: the page checks who starts it
    # Imported here: the job brings scikit-learn, which every other page and command can do without.
    from brokercrm.analytics.jobs import segments_build

    try:
        counts = segments_build(full=True)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Segments recomputed: %(n)d customer months.") % {"n": counts["analytics.membership"]})
    return redirect("analytics:config")


def _form_page(request, form, save, template_context, success_url):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Changes saved. Recompute the segments to apply them."))
            return redirect(success_url)
    return render(request, "analytics/config_form.html", {"form": form, **template_context})


@require_http_methods(["GET", "POST"])
def settings_edit_page(request):
    require_role(request.user, SEGMENT_EDITORS)  # the form page itself; saving is checked by the service
    current = services.segment_settings_get()
    form = SettingsForm(request.POST or None, initial={n: getattr(current, n) for n in services.SETTINGS_LIMITS})
    return _form_page(request, form, lambda d: services.segment_settings_update(actor=request.user, **d),
                      {"title": _("Segmentation settings")}, "analytics:config")


@require_http_methods(["GET", "POST"])
def tier_edit_page(request, code: str | None = None):
    require_role(request.user, SEGMENT_EDITORS)  # the form page itself; saving is checked by the service
    tier = get_object_or_404(Tier, code=code) if code else None
    initial = {"code": tier.code, "name": tier.name, "name_en": tier.name_en, "min_avg_daily_assets": tier.min_avg_daily_assets} if tier else {}
    form = TierForm(request.POST or None, initial=initial)
    return _form_page(request, form, lambda d: services.tier_save(actor=request.user, tier=tier, **d),
                      {"title": _("Edit tier %(name)s") % {"name": tier} if tier else _("New tier")}, "analytics:config")


@require_POST
def tier_delete_view(request, code: str):
    try:
        services.tier_delete(actor=request.user, tier=get_object_or_404(Tier, code=code))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("analytics:config")


@require_http_methods(["GET", "POST"])
def group_edit_page(request, code: str | None = None):
    require_role(request.user, SEGMENT_EDITORS)  # the form page itself; saving is checked by the service
    group = get_object_or_404(BehaviourGroup, code=code) if code else None
    initial = {k: getattr(group, k) for k in ("code", "name", "name_en", "description", "rule", "order", "active")} if group else {}
    form = GroupForm(request.POST or None, initial=initial)
    return _form_page(request, form, lambda d: services.group_save(actor=request.user, group=group, **d),
                      {"title": _("Edit group %(name)s") % {"name": group} if group else _("New behaviour group"),
                       "rule_names": sorted(RULE_NAMES.items())}, "analytics:config")


@require_POST
def group_delete_view(request, code: str):
    services.group_delete(actor=request.user, group=get_object_or_404(BehaviourGroup, code=code))
    return redirect("analytics:config")


@require_http_methods(["GET", "POST"])
def pins_page(request):
    require_role(request.user, TIER_PIN_EDITORS)  # the pins page itself; changes are checked by the services
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_get(user=request.user, customer_no=data["customer_no"])
        except Http404:
            form.add_error("customer_no", _("No such customer in your scope."))
        else:
            try:
                services.tier_pin_create(actor=request.user, customer=customer, tier=data["tier"], from_period=data["from_period"],
                                         until_period=data["until_period"], reason=data["reason"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Tier pinned. Recompute the segments to apply it."))
                return redirect("analytics:pins")
    return render(request, "analytics/pins.html", {"form": form, "pins": selectors.pin_list(user=request.user)})


@require_POST
def pin_end_view(request, pk: int):
    pin = get_object_or_404(selectors.pin_list(user=request.user), pk=pk)
    form = PinEndForm(request.POST)
    if form.is_valid():
        try:
            services.tier_pin_end(actor=request.user, pin=pin, until_period=form.cleaned_data["until_period"])
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("A month is written YYYY-MM."))
    return redirect("analytics:pins")
