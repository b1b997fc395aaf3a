"""Customer pages: the list (search, filters, groups, tags, exports) and the 360° view. Thin: selectors read, services write."""
import urllib.parse

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.cache import caches
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core.errors import DomainError, InputRejected, RateLimited
from brokercrm.core.exports import csv_response, write_xlsx, xlsx_response
from brokercrm.core.links import url_former
from brokercrm.core.masking import mask_email, mask_id_no, mask_mobile
from brokercrm.core.permissions import has_role, require_role
from brokercrm.customers import exports, layouts, selectors, services
from brokercrm.customers.forms import CustomerFieldsForm, CustomerFilterForm, SavedFilterForm
from brokercrm.customers.insight import customer_insight
from brokercrm.customers.models import CustomerFigures, PageLayout
from brokercrm.datacenter.facade import snapshot_version
from brokercrm.org.facade import CONFIG_ADMINS, CUSTOMER_EDITORS, branch_list, role_policies
from brokercrm.platform.facade import custom_field_definitions, custom_field_form_problems, custom_field_form_values, custom_field_rows

PAGE_SIZE = 50
FILTER_KEYS_IGNORED = {"page", "csrfmiddlewaretoken"}


def _filter_form(request) -> CustomerFilterForm:
    return CustomerFilterForm(request.GET or None, branches=branch_list(user=request.user),
                              tags=selectors.tag_list().values_list("name", flat=True))


def _query_string(request) -> str:
    return urllib.parse.urlencode([(k, v) for k, v in request.GET.items() if k not in FILTER_KEYS_IGNORED and v])


def customer_list_page(request):
    form = _filter_form(request)
    refused = ""
    try:
        customers = selectors.customer_search(user=request.user, filters=form.filters())
    except RateLimited as exc:
        form.add_error("q", exc.message)
        refused, customers = exc.message, selectors.customer_list(user=request.user).none()
    # Only the columns a row can show: the JSON of custom fields and the timestamps are not decoded for 50 rows.
    customers = customers.only(*_LIST_FIELDS)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    tags = selectors.tags_by_customer(c.pk for c in page)
    columns = layouts.list_columns_for(user=request.user)
    detail = url_former("customers:detail", 1)
    rows = mark_safe("".join(_list_row(c, columns, tags.get(c.pk, []), detail) for c in page))  # each value escaped there
    context = {"page": page, "rows": rows, "form": form, "query_string": _query_string(request),
               "saved_filters": selectors.saved_filter_list(user=request.user), "saved_form": SavedFilterForm(),
               "all_tags": selectors.tag_list(), "columns": columns, "headers": [(col, layouts.LIST_COLUMNS[col]) for col in columns]}
    if request.headers.get("HX-Request"):
        return render(request, "customers/_customer_rows.html", context | {"search_refused": refused})
    return render(request, "customers/customer_list.html", context | {"filter_fields": _filter_fields_html(form)})


def _end_assets(customer) -> str:
    try:
        return str(localize(customer.figures.end_assets))
    except CustomerFigures.DoesNotExist:
        return ""


# A list row's cell per column key, as the page prints it (masked where the screens mask).
_LIST_CELLS = {
    "name": lambda c, tags: c.name,
    "branch": lambda c, tags: c.branch.name,
    "mobile": lambda c, tags: mask_mobile(c.mobile),
    "id_no": lambda c, tags: mask_id_no(c.id_no),
    "open_date": lambda c, tags: c.open_date.strftime("%Y-%m-%d") if c.open_date else "",
    "status": lambda c, tags: c.get_status_display(),
    "risk_level": lambda c, tags: c.risk_level,
    "end_assets": lambda c, tags: _end_assets(c),
    "tags": lambda c, tags: format_html_join(" ", '<span class="badge bg-info text-dark">{}</span>', ((t,) for t in tags)),
}


_LIST_FIELDS = ("customer_no", "name", "branch__name", "mobile", "id_no", "open_date", "status", "risk_level", "figures__end_assets")
_NUMBER_CELL = ' class="text-end"'


def _list_row(customer, columns: list[str], tags: list[str], detail) -> str:
    """One row of the customer list (tick box, number linking to the 360° page, the role's columns in order) as HTML,
    each value escaped: built here in one pass instead of a template loop, a URL reversal and a branch per cell.
    detail: forms the 360° page's URL of a customer number (core.links.url_former)."""
    no = conditional_escape(customer.customer_no)
    cells = "".join(f"<td{_NUMBER_CELL if col == 'end_assets' else ''}>{conditional_escape(_LIST_CELLS[col](customer, tags))}</td>"
                    for col in columns)
    link = conditional_escape(detail(customer.customer_no))
    return (f'<tr data-customer="{no}"><td><input type="checkbox" name="customer_no" value="{no}"></td>'
            f'<td><a href="{link}">{no}</a></td>{cells}</tr>')


# Rendered filter fields by everything that decides them (language, each field's label, choices, value and errors):
# Django renders each widget and option through templates, several ms a list page, while a broker's filters repeat.
# The search box, whose value changes with every search, is rendered each time (one text input).
_FILTER_FIELDS: dict[tuple, str] = {}


def _shown(choices) -> tuple:
    """Choices as the strings they show (lazy labels are new objects each request), groups included."""
    return tuple((str(value), _shown(label) if isinstance(label, (list, tuple)) else str(label)) for value, label in choices)


def _filter_fields_html(form: CustomerFilterForm) -> str:
    """The filter form's fields as the list page shows them, the search box first, the others rendered once per
    distinct set of fields and values."""
    others = [field for field in form if field.name != "q"]
    key = (get_language(), tuple((field.name, str(field.label), _shown(getattr(field.field, "choices", ())), repr(field.value()),
                                  tuple(field.errors)) for field in others))
    html = _FILTER_FIELDS.get(key)
    if html is None:
        if len(_FILTER_FIELDS) > 500:
            _FILTER_FIELDS.clear()
        html = _FILTER_FIELDS[key] = render_to_string("customers/_filter_fields.html", {"fields": others})
    search = render_to_string("customers/_filter_fields.html", {"fields": [form["q"]]})
    return mark_safe(search + html)  # rendered by the template engine, escaped there


def customer_export(request, file_format: str):
    """The list as filtered, within scope, as CSV or Excel; audited."""
    form = _filter_form(request)
    try:
        qs = selectors.customer_search(user=request.user, filters=form.filters())
    except RateLimited as exc:
        messages.error(request, exc.message)
        return redirect(f"{request.path.rsplit('/export', 1)[0]}/?{_query_string(request)}")
    defs = custom_field_definitions("customer")
    header = exports.customer_header(defs)
    if file_format == "csv":
        count = qs.count()
        services.list_export_record(actor=request.user, object_type="customers.customer", rows=count, file_format="csv",
                                    query=_query_string(request))
        return csv_response(exports.customer_rows(qs, defs), header, filename="customers.csv")
    try:
        data, count = write_xlsx([("customers", header, exports.customer_rows(qs, defs))])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{request.path.rsplit('/export', 1)[0]}/?{_query_string(request)}")
    services.list_export_record(actor=request.user, object_type="customers.customer", rows=count, file_format="xlsx",
                                query=_query_string(request))
    return xlsx_response(data, filename="customers.xlsx")


@require_POST
def saved_filter_create(request):
    require_role(request.user, CUSTOMER_EDITORS)
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        try:
            services.saved_filter_save(actor=request.user, name=form.cleaned_data["name"], query=request.POST.get("query", ""))
            messages.success(request, _("Customer group saved."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(f"/customers/?{request.POST.get('query', '')}")


@require_POST
def saved_filter_delete(request, pk: int):
    require_role(request.user, CUSTOMER_EDITORS)
    services.saved_filter_delete(actor=request.user, saved=selectors.saved_filter_get(user=request.user, pk=pk))
    messages.success(request, _("Customer group deleted."))
    return redirect("customers:list")


@require_POST
def bulk_tag(request):
    """Tag the ticked customers (only those in scope count)."""
    numbers = request.POST.getlist("customer_no")
    customers = list(selectors.customer_list(user=request.user).filter(customer_no__in=numbers))
    try:
        n = services.customer_tag_add(actor=request.user, customers=customers, tag_name=request.POST.get("tag", ""))
        messages.success(request, _("Tag added to %(n)d customers.") % {"n": n})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"/customers/?{request.POST.get('query', '')}")


def _chart(insight) -> dict:
    months = insight.months
    daily = insight.daily_assets
    return {
        "trend": {
            "daily": bool(daily),
            "x": [str(r["biz_date"]) for r in daily] if daily else [r["period"] for r in months],
            "total": [str(r["total_assets"]) for r in daily] if daily else [str(r["end_assets"]) for r in months],
            "avg": [] if daily else [str(r["avg_daily_assets"]) for r in months],
        },
        "composition": [{"name": p["name"], "value": str(p["value"])} for p in insight.composition],
    }


def _trading_html(customer_no: str) -> str:
    """The 360° page's trading side (charts, monthly indicators, positions, trades, cash flows, transfers) as HTML.

    Only the published snapshot decides it — the same for every user who may open the customer — so it is rendered
    once per snapshot, customer and language and kept in the `snapshot` cache (shared by the web workers); a publish
    changes the key. The caller has checked the customer is in the user's scope."""
    version = snapshot_version()
    cache, key = caches["snapshot"], f"customers:360-trading:{version}:{customer_no}:{get_language()}"
    html = cache.get(key) if version else None
    if html is None:
        insight = customer_insight(customer_no)
        html = render_to_string("customers/_trading.html", {"insight": insight, "chart": _chart(insight)})
        if version:
            cache.set(key, html)
    return mark_safe(html)  # rendered by the template engine above, escaped there


def customer_360_page(request, customer_no: str):
    """客户全景视图: profile, custom fields, trading, indicators, relations, suitability, history, and later issues' panels."""
    customer = selectors.customer_get(user=request.user, customer_no=customer_no)
    context = {
        "customer": customer, "can_edit": has_role(request.user, CUSTOMER_EDITORS),
        "masked": {"id_no": mask_id_no(customer.id_no), "mobile": mask_mobile(customer.mobile), "email": mask_email(customer.email),
                   "address": (customer.address[:6] + "…") if customer.address else ""},
        "custom_rows": custom_field_rows(entity="customer", values=customer.custom_fields),
        "tags": selectors.customer_tags(customer=customer),
        "all_tags": selectors.tag_list(),
        "trading": _trading_html(customer.customer_no),
        "changes": customer.changes.all()[:100],
        "suitability": selectors.suitability(customer=customer),
        "prospects": customer.prospects.prefetch_related("notes"),
        "panels": layouts.panels_arranged(request=request, customer=selectors.customer_ref(customer)),
    }
    return render(request, "customers/customer_360.html", context)


@require_POST
def customer_unmask_view(request, customer_no: str, field: str):
    """Return one field in clear (htmx swap); each call is audited."""
    customer = selectors.customer_get(user=request.user, customer_no=customer_no)
    try:
        value = services.customer_unmask(actor=request.user, customer=customer, field=field)
    except DomainError:
        raise PermissionDenied from None
    return render(request, "customers/_unmasked.html", {"value": value, "field": field})


@require_http_methods(["GET", "POST"])
def customer_fields_edit(request, customer_no: str):
    require_role(request.user, CUSTOMER_EDITORS)
    customer = selectors.customer_get(user=request.user, customer_no=customer_no)
    form = CustomerFieldsForm(request.POST or None, values=customer.custom_fields)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_custom_fields_set(actor=request.user, customer=customer,
                                                values=custom_field_form_values(form.cleaned_data, "customer"), partial=False)
        except InputRejected as exc:
            custom_field_form_problems(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer_no=customer_no)
    return render(request, "customers/customer_fields.html", {"form": form, "customer": customer})


@require_POST
def customer_tag(request, customer_no: str):
    customer = selectors.customer_get(user=request.user, customer_no=customer_no)
    try:
        if request.POST.get("remove"):
            services.customer_tag_remove(actor=request.user, customer=customer, tag_name=request.POST["remove"])
        else:
            services.customer_tag_add(actor=request.user, customers=[customer], tag_name=request.POST.get("tag", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customers:detail", customer_no=customer_no)


@require_http_methods(["GET", "POST"])
def page_layouts_page(request):
    """页面布局: a role's 360° panels (order, collapsed, hidden) and customer list columns (order, hidden)."""
    require_role(request.user, CONFIG_ADMINS)  # only admins arrange pages (the service checks again)
    roles = role_policies()
    role_code = request.POST.get("role") or request.GET.get("role") or next(iter(roles))
    page = request.POST.get("page") or request.GET.get("page") or PageLayout.Page.CUSTOMER_360
    if role_code not in roles or page not in PageLayout.Page.values:
        role_code, page = next(iter(roles)), PageLayout.Page.CUSTOMER_360
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reset":
                layouts.page_layout_reset(actor=request.user, role_code=role_code, page=page)
            else:
                keys = request.POST.getlist("key")
                order = {key: _int_or(request.POST.get(f"order-{key}"), i) for i, key in enumerate(keys)}
                entries = [{"key": key, "hidden": request.POST.get(f"hidden-{key}") == "1",
                            "collapsed": request.POST.get(f"collapsed-{key}") == "1"}
                           for key in sorted(keys, key=lambda k: (order[k], keys.index(k)))]
                layouts.page_layout_save(actor=request.user, role_code=role_code, page=page, entries=entries)
        except DomainError as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
        else:
            messages.success(request, _("Layout saved."))
        return redirect(f"{request.path}?role={role_code}&page={page}")
    return render(request, "customers/page_layouts.html", {
        "roles": roles.values(), "role_code": role_code, "page": page, "pages": PageLayout.Page.choices,
        "entries": layouts.layout_entries(role_code=role_code, page=page)})


def _int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
