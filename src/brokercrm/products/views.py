"""Product pages: thin views over the selectors (the shelf, scoped holders and customers) and the services."""
import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core.errors import DomainError
from brokercrm.core.links import url_former
from brokercrm.core.permissions import has_role, require_role
from brokercrm.customers.facade import CustomerFilters, customer_get, list_filters, scope_date
from brokercrm.org.facade import PRODUCT_EDITORS, PRODUCT_RECOMMENDERS
from brokercrm.products import selectors, services
from brokercrm.products.forms import CampaignForm, ProductForm, RecommendForm
from brokercrm.products.models import Product
from brokercrm.products.suitability import REASONS


PANEL_ROWS = 30  # per table of the 360 panel; the product list and the API have all


_PRODUCT_CELLS = ('<td><a href="{}">{}</a> <span class="text-muted small">{}.{}</span></td><td>{}</td>')
_RECOMMEND_FIELDS = ('<form method="post" action="{}"{}><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                     '<input type="hidden" name="market" value="{}"><input type="hidden" name="security_code" value="{}">')


def _panel_rows(request, customer, panel, *, can_recommend: bool) -> tuple[str, str]:
    """The rows of the suitable and unsuitable tables as HTML (every value escaped by format_html): up to 60 rows with
    a form each cost the template engine several ms a 360° page; built here in one pass."""
    action, token = reverse("products:recommend", args=[customer.customer_no]), get_token(request)
    recommend = _("Recommend")
    choose = format_html('<select name="channel" class="form-select form-select-sm" aria-label="{}"><option value="sms">{}</option>'
                         '<option value="email">{}</option></select>', _("Channel"), _("SMS"), _("E-mail"))
    detail = url_former("products:detail", 2)

    def start(f) -> str:
        return format_html('<tr data-product="{}.{}">' + _PRODUCT_CELLS, f.market, f.security_code,
                           detail(f.market, f.security_code), f.name, f.market,
                           f.security_code, f.risk_level)

    def form(f, extra: str, fields: str) -> str:
        if not can_recommend:
            return ""
        return format_html("<td>" + _RECOMMEND_FIELDS + "{}</form></td>", action, mark_safe(extra), token, f.market,  # extra: literal attributes
                           f.security_code, fields)

    suitable = "".join(
        start(f) + format_html('<td class="text-end">{}</td>', floatformat(f.min_subscription, "2g"))
        + form(f, ' class="d-flex gap-1"', format_html('{}<button class="btn btn-sm btn-outline-primary" data-testid="recommend">{}</button>',
                                                        choose, recommend)) + "</tr>"
        for f in panel.suitable)
    unsuitable = "".join(
        start(f) + "<td>" + format_html_join("", '<span class="badge text-bg-warning me-1" data-reason="{}">{}</span>',
                                             ((code, REASONS.get(code, code)) for code in f.reasons)) + "</td>"
        + form(f, "", format_html('<input type="hidden" name="channel" value="sms"><button class="btn btn-sm btn-outline-secondary" '
                                  'data-testid="recommend-unsuitable">{}</button>', recommend)) + "</tr>"
        for f in panel.unsuitable)
    return mark_safe(suitable), mark_safe(unsuitable)  # built from format_html pieces above


def suitable_products_panel(*, request, customer) -> dict:
    """The 360 page's panel: the products that suit the customer, and why each other one does not."""
    panel = selectors.customer_product_panel(customer=customer, rows=PANEL_ROWS)
    can_recommend = has_role(request.user, PRODUCT_RECOMMENDERS)
    suitable_rows, unsuitable_rows = _panel_rows(request, customer, panel, can_recommend=can_recommend)
    return {"suitable_rows": suitable_rows, "suitable_shown": len(panel.suitable), "suitable_count": panel.suitable_count,
            "unsuitable_rows": unsuitable_rows, "unsuitable_count": panel.unsuitable_count, "customer": customer,
            "can_recommend": can_recommend,
            "recommendations": selectors.recommendation_list(user=request.user, customer_id=customer.id)[:10]}


def product_list_page(request):
    g = request.GET
    products = selectors.product_list(q=g.get("q", ""), product_type=g.get("type", ""), risk_level=g.get("risk", ""),
                                      status=g.get("status", ""))
    page = Paginator(products, 50).get_page(g.get("page"))
    return render(request, "products/product_list.html", {"page": page, "types": Product.Type.choices, "risks": Product.Risk.choices,
                                                          "statuses": Product.Shelf.choices})


def _choices(key: str) -> list[tuple[str, str]]:
    return next((f.choices() for f in list_filters() if f.key == key), [])


@require_http_methods(["GET", "POST"])
def product_page(request, market: str, security_code: str):
    product = selectors.product_get(market=market, security_code=security_code)
    can_edit = has_role(request.user, PRODUCT_EDITORS)
    form = ProductForm(instance=product)
    campaign = CampaignForm(tier_choices=_choices("tier"), group_choices=_choices("segment_group"))
    if request.method == "POST":
        require_role(request.user, PRODUCT_EDITORS)
        # The form validates on its own copy: the service audits the difference from the stored product.
        form = ProductForm(request.POST, request.FILES, instance=selectors.product_get(market=market, security_code=security_code))
        if form.is_valid():
            try:
                services.product_update(actor=request.user, product=product, data=form.cleaned_data)
                messages.success(request, _("Product saved."))
                return redirect("products:detail", market=market, security_code=security_code)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    today = scope_date()
    holders_day, holders = selectors.product_holders(user=request.user, product=product)
    trend = selectors.product_sales_trend(product=product, date_from=today - dt.timedelta(days=366), date_to=today)
    suitable_count = len(selectors.suitable_customers(user=request.user, product=product, filters=CustomerFilters()))
    return render(request, "products/product_detail.html", {
        "product": product, "form": form, "can_edit": can_edit, "holders": holders[:100], "holders_day": holders_day,
        "trend": [{"name": m, "value": str(amount)} for m, amount, _count in trend], "trend_rows": trend,
        "suitable_count": suitable_count, "campaign": campaign, "can_recommend": has_role(request.user, PRODUCT_RECOMMENDERS),
        "recommendations": selectors.recommendation_list(user=request.user, product=product)[:50]})


@require_POST
def product_campaign(request, market: str, security_code: str):
    """Recommend the product to the customers in scope it suits, as one campaign through the outbox."""
    require_role(request.user, PRODUCT_RECOMMENDERS)
    product = selectors.product_get(market=market, security_code=security_code)
    form = CampaignForm(request.POST, tier_choices=_choices("tier"), group_choices=_choices("segment_group"))
    if form.is_valid():
        d = form.cleaned_data
        extra = {k: d[k] for k in ("tier", "segment_group") if d[k]}
        filters = CustomerFilters(extra=extra, assets_min=product.min_subscription if d["assets_at_least_minimum"] else None)
        try:
            sent = services.recommendation_campaign(actor=request.user, product=product, filters=filters, channel=d["channel"],
                                                    not_holding=d["not_holding"])
            messages.success(request, _("Recommended to %(n)d customers.") % {"n": sent})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("products:detail", market=market, security_code=security_code)


@require_POST
def customer_recommend(request, customer_no: str):
    """Recommend one product to the customer from the 360 page; a refusal names its reasons."""
    require_role(request.user, PRODUCT_RECOMMENDERS)
    customer = customer_get(user=request.user, customer_no=customer_no)
    form = RecommendForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.recommendation_create(actor=request.user, customer_no=customer.customer_no, market=d["market"],
                                           security_code=d["security_code"], channel=d["channel"])
            messages.success(request, _("Recommendation sent."))
        except services.RecommendationRefused as exc:
            messages.error(request, _("Refused: %(reasons)s") % {"reasons": "、".join(str(REASONS[r]) for r in exc.reasons)})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("customers:detail", customer_no=customer.customer_no)
