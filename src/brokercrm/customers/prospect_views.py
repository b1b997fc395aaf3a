"""Prospect pages (潜在客户): list, create, detail with notes, edit/assign/status, import, duplicates and merge, exports."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.exports import csv_response, write_xlsx, xlsx_response
from brokercrm.core.masking import mask_id_no, mask_mobile
from brokercrm.core.permissions import has_role, require_role
from brokercrm.customers import exports, prospect_selectors as selectors, prospect_services as services
from brokercrm.customers.forms import ProspectForm, ProspectImportForm, ProspectNoteForm
from brokercrm.customers.models import Prospect
from brokercrm.customers.services import list_export_record
from brokercrm.org.facade import CUSTOMER_EDITORS, PROSPECT_REVIEWERS, branch_list, scope_for, staff_list
from brokercrm.platform.facade import custom_field_definitions, custom_field_filter_params, custom_field_form_values, custom_field_rows


def _list(request):
    custom = {n: request.GET[n] for _d, names in custom_field_filter_params("prospect") for n in names if request.GET.get(n)}
    try:
        return selectors.prospect_list(user=request.user, query=request.GET.get("q", ""), status=request.GET.get("status", ""),
                                       branch=request.GET.get("branch", ""), staff=request.GET.get("staff", ""), custom=custom,
                                       review_pending=request.GET.get("review") == "1")
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return selectors.prospect_list(user=request.user).none()


def prospect_list_page(request):
    page = Paginator(_list(request), 50).get_page(request.GET.get("page"))
    for p in page:
        p.masked_mobile, p.masked_id_no = mask_mobile(p.mobile), mask_id_no(p.id_no)
    custom_filters = [{"label": d.label + {"_min": " ≥", "_max": " ≤"}.get(name[-4:], ""), "name": name,
                       "choices": d.choices, "value": request.GET.get(name, ""), "date": d.field_type == "date"}
                      for d, names in custom_field_filter_params("prospect") for name in names]
    return render(request, "customers/prospect_list.html", {
        "page": page, "statuses": Prospect.Status.choices, "branches": branch_list(user=request.user),
        "custom_filters": custom_filters, "query_string": request.GET.urlencode(),
        "reviewer": has_role(request.user, PROSPECT_REVIEWERS)})


def prospect_export(request, file_format: str):
    qs = _list(request)
    defs = custom_field_definitions("prospect")
    header = exports.prospect_header(defs)
    if file_format == "csv":
        list_export_record(actor=request.user, object_type="customers.prospect", rows=qs.count(), file_format="csv",
                           query=request.GET.urlencode())
        return csv_response(exports.prospect_rows(qs, defs), header, filename="prospects.csv")
    data, count = write_xlsx([("prospects", header, exports.prospect_rows(qs, defs))])
    list_export_record(actor=request.user, object_type="customers.prospect", rows=count, file_format="xlsx", query=request.GET.urlencode())
    return xlsx_response(data, filename="prospects.xlsx")


def _form(request, *, prospect=None):
    initial = None
    if prospect is not None:
        initial = {"name": prospect.name, "mobile": prospect.mobile, "id_type": prospect.id_type, "id_no": prospect.id_no,
                   "email": prospect.email, "branch": prospect.branch.code, "staff": prospect.staff.staff_no if prospect.staff else None,
                   "source": prospect.source, "status": prospect.status}
        initial |= {f"cf_{d.key}": prospect.custom_fields.get(d.key) for d in custom_field_definitions("prospect")}
    return ProspectForm(request.POST or None, initial=initial, branches=branch_list(user=request.user),
                        staff=staff_list(user=request.user, active_only=True), creating=prospect is None,
                        values=prospect.custom_fields if prospect else None)


def _save(form, save):
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    custom = custom_field_form_values(data, "prospect")
    base = {k: v for k, v in data.items() if not k.startswith("cf_")}
    try:
        return save(base, custom)
    except InputRejected as exc:
        for p in exc.problems:
            name = p.field if p.field in form.fields else f"cf_{p.field}"
            form.add_error(name if name in form.fields else None, p.message)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return None


@require_http_methods(["GET", "POST"])
def prospect_create_page(request):
    require_role(request.user, CUSTOMER_EDITORS)
    form = _form(request)
    if request.method == "POST":
        prospect = _save(form, lambda d, cf: services.prospect_create(actor=request.user, custom_fields=cf, **d))
        if prospect:
            messages.success(request, _("Prospect saved."))
            return redirect("customers:prospect_detail", pk=prospect.pk)
    return render(request, "customers/prospect_form.html", {"form": form, "title": _("New prospect")})


@require_http_methods(["GET", "POST"])
def prospect_edit_page(request, pk: int):
    require_role(request.user, CUSTOMER_EDITORS)
    prospect = selectors.prospect_get(user=request.user, pk=pk)
    form = _form(request, prospect=prospect)
    if request.method == "POST":
        saved = _save(form, lambda d, cf: services.prospect_update(actor=request.user, prospect=prospect, custom_fields=cf,
                                                                   partial_custom_fields=False, **d))
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("customers:prospect_detail", pk=pk)
    return render(request, "customers/prospect_form.html", {"form": form, "title": _("Edit %(p)s") % {"p": prospect}})


@require_http_methods(["GET", "POST"])
def prospect_detail_page(request, pk: int):
    if request.method == "POST":
        require_role(request.user, CUSTOMER_EDITORS)  # refused before the form is read, as the service would
    prospect = selectors.prospect_get(user=request.user, pk=pk)
    note_form = ProspectNoteForm(request.POST or None)
    if request.method == "POST" and note_form.is_valid():
        try:
            services.prospect_note_add(actor=request.user, prospect=prospect, **note_form.cleaned_data)
        except DomainError as exc:
            note_form.add_error("text", exc.message)
        else:
            return redirect("customers:prospect_detail", pk=pk)
    return render(request, "customers/prospect_detail.html", {
        "prospect": prospect, "note_form": note_form, "notes": prospect.notes.all(),
        "masked": {"mobile": mask_mobile(prospect.mobile), "id_no": mask_id_no(prospect.id_no)},
        "custom_rows": custom_field_rows(entity="prospect", values=prospect.custom_fields),
        "merged_from": prospect.merged_from.all(), "reviewer": has_role(request.user, PROSPECT_REVIEWERS)})


@require_POST
def prospect_review_clear_view(request, pk: int):
    prospect = selectors.prospect_get(user=request.user, pk=pk)
    try:
        services.prospect_review_clear(actor=request.user, prospect=prospect)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Review cleared."))
    return redirect("customers:prospect_detail", pk=pk)


@require_POST
def prospect_delete_view(request, pk: int):
    prospect = selectors.prospect_get(user=request.user, pk=pk)
    try:
        services.prospect_delete(actor=request.user, prospect=prospect)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("customers:prospect_detail", pk=pk)
    messages.success(request, _("Prospect deleted."))
    return redirect("customers:prospect_list")


@require_http_methods(["GET", "POST"])
def prospect_import_page(request):
    require_role(request.user, CUSTOMER_EDITORS)
    form = ProspectImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        scope = scope_for(request.user)
        allowed = None if scope.everything else {b.pk for b in branch_list(user=request.user)}
        try:
            result = services.prospect_import(actor=request.user, data=upload.read(), file_name=upload.name, allowed_branch_ids=allowed)
        except InputRejected as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Imported %(n)d prospects.") % {"n": result.created})
            return redirect("customers:prospect_list")
    return render(request, "customers/prospect_import.html", {"form": form, "problems": problems,
                                                              "columns": services.IMPORT_COLUMNS + [d.key for d in custom_field_definitions("prospect")]})


@require_http_methods(["GET", "POST"])
def prospect_duplicates_page(request):
    if request.method == "POST":
        require_role(request.user, CUSTOMER_EDITORS)  # refused before the form is read, as the service would
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("merge") if i.isdigit()]
        survivor_id = request.POST.get("survivor", "")
        try:
            survivor = selectors.prospect_get(user=request.user, pk=int(survivor_id)) if survivor_id.isdigit() else None
            if survivor is None:
                raise DomainError(_("choose the prospect to keep"), field="survivor")
            others = [selectors.prospect_get(user=request.user, pk=i) for i in ids if i != survivor.pk]
            services.prospect_merge(actor=request.user, survivor=survivor, others=others)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Prospects merged into %(p)s.") % {"p": survivor})
            return redirect("customers:prospect_detail", pk=survivor.pk)
    groups = selectors.prospect_duplicates(user=request.user)
    for group in groups:
        for p in group:
            p.masked_mobile, p.masked_id_no = mask_mobile(p.mobile), mask_id_no(p.id_no)
    return render(request, "customers/prospect_duplicates.html", {"groups": groups})
