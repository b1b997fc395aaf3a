"""Relation pages: apply for add / transfer / terminate / bulk transfer, relation lists, a customer's history, a staff book."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role, require_role
from brokercrm.customers.facade import customer_get, customer_get_to_win, scope_date
from brokercrm.org.facade import BULK_TRANSFER_APPLICANTS, RELATION_APPLICANTS, staff_get
from brokercrm.relations import applications, selectors
from brokercrm.relations.forms import AddForm, BulkTransferForm, TerminateForm, TransferForm


def _apply(request, form, apply):
    """Run an application from a valid form; a refused one becomes a form error on the field named."""
    if not form.is_valid():
        return None
    try:
        instance = apply(form.cleaned_data)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    if instance is None:
        return None
    messages.success(request, _("Application #%(id)d submitted for approval.") % {"id": instance.id})
    return redirect("workflow:instance_detail", pk=instance.id)


def _lookup(form, field: str, find):
    """The object a number names, or None with a form error (out of scope reads like unknown)."""
    try:
        return find(form.cleaned_data[field])
    except Http404:
        form.add_error(field, _("No such number in your scope."))
        return None


def relation_list_page(request):
    relations = selectors.relation_list(user=request.user).order_by("customer__customer_no", "relation_type", "-start_date")
    q = request.GET.get("q", "").strip()
    if q:
        relations = relations.filter(customer__customer_no__startswith=q) | relations.filter(staff__staff_no=q)
    if request.GET.get("open") == "1":
        relations = relations.filter(end_date__isnull=True)
    page = Paginator(relations, 50).get_page(request.GET.get("page"))
    return render(request, "relations/relation_list.html", {"page": page, "can_bulk": has_role(request.user, BULK_TRANSFER_APPLICANTS),
                                                            "can_apply": has_role(request.user, RELATION_APPLICANTS)})


@require_http_methods(["GET", "POST"])
def apply_add_page(request):
    require_role(request.user, RELATION_APPLICANTS)
    initial = {"customer_no": request.GET.get("customer_no", ""), "staff_no": request.user.staff.staff_no if request.user.staff_id else "",
               "start_date": scope_date()}
    form = AddForm(request.POST or None, initial=initial)

    def apply(d):
        customer = _lookup(form, "customer_no", lambda no: customer_get_to_win(user=request.user, customer_no=no))
        staff = _lookup(form, "staff_no", lambda no: staff_get(user=request.user, staff_no=no))
        if customer is None or staff is None:
            return None
        return applications.relation_add_apply(actor=request.user, customer=customer, staff=staff, relation_type=d["relation_type"],
                                               start_date=d["start_date"], reason=d["reason"])

    if request.method == "POST":
        response = _apply(request, form, apply)
        if response:
            return response
    return render(request, "relations/apply_form.html", {"form": form, "title": _("Apply for a broker relation"), "testid": "apply-add"})


@require_http_methods(["GET", "POST"])
def apply_transfer_page(request, pk: int):
    require_role(request.user, RELATION_APPLICANTS)
    relation = selectors.relation_get(user=request.user, relation_id=pk)
    form = TransferForm(request.POST or None, initial={"effective_date": scope_date()})

    def apply(d):
        to_staff = _lookup(form, "to_staff_no", lambda no: selectors.staff_for_application(staff_no=no))
        if to_staff is None:
            return None
        return applications.relation_transfer_apply(actor=request.user, relation=relation, to_staff=to_staff,
                                                    effective_date=d["effective_date"], reason=d["reason"])

    if request.method == "POST":
        response = _apply(request, form, apply)
        if response:
            return response
    return render(request, "relations/apply_form.html", {"form": form, "relation": relation, "testid": "apply-transfer",
                                                         "title": _("Apply for a transfer")})


@require_http_methods(["GET", "POST"])
def apply_terminate_page(request, pk: int):
    require_role(request.user, RELATION_APPLICANTS)
    relation = selectors.relation_get(user=request.user, relation_id=pk)
    form = TerminateForm(request.POST or None, initial={"end_date": scope_date()})
    if request.method == "POST":
        response = _apply(request, form, lambda d: applications.relation_terminate_apply(
            actor=request.user, relation=relation, end_date=d["end_date"], reason=d["reason"]))
        if response:
            return response
    return render(request, "relations/apply_form.html", {"form": form, "relation": relation, "testid": "apply-terminate",
                                                         "title": _("Apply to terminate a relation")})


@require_http_methods(["GET", "POST"])
def bulk_transfer_page(request):
    """Leaving staff: pick the receiver and the date, preview every customer moved, then apply (one approval)."""
    require_role(request.user, BULK_TRANSFER_APPLICANTS)
    initial = {"from_staff_no": request.GET.get("staff_no", ""), "effective_date": scope_date(), "include_service": True}
    form = BulkTransferForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        from_staff = _lookup(form, "from_staff_no", lambda no: staff_get(user=request.user, staff_no=no))
        to_staff = _lookup(form, "to_staff_no", lambda no: selectors.staff_for_application(staff_no=no))
        args = dict(actor=request.user, from_staff=from_staff, to_staff=to_staff, effective_date=d["effective_date"],
                    include_service=d["include_service"])
        if from_staff is not None and to_staff is not None:
            try:
                if request.POST.get("action") == "apply":
                    instance = applications.relation_bulk_transfer_apply(reason=d["reason"], **args)
                    messages.success(request, _("Application #%(id)d submitted for approval.") % {"id": instance.id})
                    return redirect("workflow:instance_detail", pk=instance.id)
                preview = applications.bulk_transfer_preview(**args)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "relations/bulk_transfer.html", {"form": form, "preview": preview})


def handover_page(request):
    """Departed staff of the user's branch (or scope) with the open relations still in their name, each with a link
    to the bulk transfer that hands them over."""
    require_role(request.user, BULK_TRANSFER_APPLICANTS)
    return render(request, "relations/handover.html", {"handovers": selectors.handover_list(user=request.user, on=timezone.localdate())})


def customer_relations_page(request, customer_no: str):
    customer = customer_get(user=request.user, customer_no=customer_no)
    return render(request, "relations/customer_relations.html", {"customer": customer})


def staff_book_page(request, staff_no: str):
    staff = staff_get(user=request.user, staff_no=staff_no)
    return render(request, "relations/staff_book.html", {"staff": staff})
