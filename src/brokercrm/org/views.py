"""Organisation pages: thin views over selectors (reads) and services (writes)."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.permissions import require_role
from brokercrm.org import selectors, services
from brokercrm.org.forms import LeaveForm, StaffForm, StaffImportForm
from brokercrm.org.roles import ORG_EDITORS
from brokercrm.platform.facade import custom_field_rows


def org_tree_page(request):
    return render(request, "org/tree.html", {"branches": selectors.org_tree(user=request.user)})


def staff_list_page(request):
    staff = selectors.staff_list(
        user=request.user, query=request.GET.get("q", "").strip(), branch_code=request.GET.get("branch", ""),
        category_code=request.GET.get("category", ""), active_only=request.GET.get("active") == "1",
    )
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    context = {"page": page, "branches": selectors.branch_list(user=request.user), "categories": selectors.category_list()}
    template = "org/_staff_rows.html" if request.headers.get("HX-Request") else "org/staff_list.html"
    return render(request, template, context)


def staff_detail_page(request, staff_no: str):
    staff = selectors.staff_get(user=request.user, staff_no=staff_no)
    return render(request, "org/staff_detail.html", {
        "staff": staff, "manager": selectors.staff_manager(staff=staff),
        "custom_rows": custom_field_rows(entity="staff", values=staff.custom_fields)})


def _save_form(request, form, save):
    if form.is_valid():
        try:
            return save(form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return None


@require_http_methods(["GET", "POST"])
def staff_create_page(request):
    require_role(request.user, ORG_EDITORS)  # a form only an editor can submit (the service checks again)
    branches = selectors.branch_list(user=request.user)
    form = StaffForm(request.POST or None, branches=branches)
    if request.method == "POST":
        staff = _save_form(request, form, lambda d: services.staff_create(actor=request.user, **d))
        if staff:
            messages.success(request, _("Staff member %(no)s created.") % {"no": staff.staff_no})
            return redirect("org:staff_detail", staff_no=staff.staff_no)
    return render(request, "org/staff_form.html", {"form": form, "title": _("New staff member")})


@require_http_methods(["GET", "POST"])
def staff_edit_page(request, staff_no: str):
    require_role(request.user, ORG_EDITORS)  # a form only an editor can submit (the service checks again)
    staff = selectors.staff_get(user=request.user, staff_no=staff_no)
    form = StaffForm(request.POST or None, instance=staff, branches=selectors.branch_list(user=request.user))
    if request.method == "POST":
        # The form's cleaned data is applied by the service (audited), not by ModelForm.save().
        form.instance = selectors.staff_get(user=request.user, staff_no=staff_no)
        saved = _save_form(request, form, lambda d: services.staff_update(
            actor=request.user, staff=selectors.staff_get(user=request.user, staff_no=staff_no),
            **{k: v for k, v in d.items() if k != "staff_no"}))
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("org:staff_detail", staff_no=staff_no)
    return render(request, "org/staff_form.html", {"form": form, "title": _("Edit %(name)s") % {"name": staff}})


@require_http_methods(["GET", "POST"])
def staff_leave_page(request, staff_no: str):
    require_role(request.user, ORG_EDITORS)  # a form only an editor can submit (the service checks again)
    staff = selectors.staff_get(user=request.user, staff_no=staff_no)
    form = LeaveForm(request.POST or None, initial={"leave_date": staff.leave_date})
    if request.method == "POST":
        saved = _save_form(request, form, lambda d: services.staff_leave(actor=request.user, staff=staff, leave_date=d["leave_date"]))
        if saved:
            messages.success(request, _("Departure recorded."))
            return redirect("org:staff_detail", staff_no=staff_no)
    return render(request, "org/staff_leave.html", {"form": form, "staff": staff})


@require_http_methods(["GET", "POST"])
def staff_import_page(request):
    require_role(request.user, ORG_EDITORS)  # a form only an editor can submit (the service checks again)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.staff_import(actor=request.user, data=upload.read(), file_name=upload.name)
        except InputRejected as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Imported: %(c)d created, %(u)d updated, %(n)d unchanged.") % {
                "c": result.created, "u": result.updated, "n": result.unchanged})
            return redirect("org:staff_list")
    return render(request, "org/staff_import.html", {"form": form, "problems": problems})
