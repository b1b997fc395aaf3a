"""Reads of the product shelf (not scoped: every user sees the shelf) and of recommendations (scoped by customer)."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from brokercrm.core.errors import DomainError

from brokercrm.customers.facade import (
    CustomerFilters, CustomerRef, customer_end_assets, customer_refs_by_id, customer_refs_search, customer_scope_q, scope_date,
)
from brokercrm.datacenter.facade import security_buys, security_holders
from brokercrm.products.models import Product, Recommendation
from brokercrm.products.suitability import ProductTerms, Suitability, suitability


@dataclass(frozen=True)
class ProductFit:
    """One product as it fits one customer: the answer of the suitability engine."""

    market: str
    security_code: str
    name: str
    product_type: str
    risk_level: str
    min_subscription: Decimal
    suitable: bool
    reasons: tuple[str, ...]


def product_list(*, q: str = "", product_type: str = "", risk_level: str = "", status: str = "") -> QuerySet[Product]:
    products = Product.objects.all()
    if q:
        products = products.filter(Q(name__icontains=q) | Q(security_code__startswith=q) | Q(issuer__icontains=q))
    if product_type:
        products = products.filter(product_type=product_type)
    if risk_level:
        products = products.filter(risk_level=risk_level)
    if status:
        products = products.filter(status=status)
    return products


def product_get(*, market: str, security_code: str) -> Product:
    return get_object_or_404(Product, market=market, security_code=security_code)


def product_terms(product: Product) -> ProductTerms:
    return ProductTerms(risk_level=product.risk_level, min_subscription=product.min_subscription,
                        on_sale=product.status == Product.Shelf.ON_SALE, sale_start=product.sale_start, sale_end=product.sale_end)


def product_fit(product: Product, customer: CustomerRef, *, on: dt.date, assets: Decimal | None) -> Suitability:
    """The suitability engine applied to a product row."""
    return suitability(product_terms(product), customer, on=on, assets=assets)


def product_fits(product: Product, customers: list[CustomerRef], *, on: dt.date) -> dict[int, Suitability]:
    """The suitability of one product for a batch of customers (by customer id), their assets read in one query: what
    recommendations, campaigns and strategies all ask."""
    terms = product_terms(product)
    assets = customer_end_assets([c.id for c in customers])
    return {c.id: suitability(terms, c, on=on, assets=assets.get(c.id)) for c in customers}


def product_by_key(key: str) -> Product:
    """The product named MARKET.CODE (a strategy's product); a clear error when the shelf has none."""
    market, _dot, code = key.partition(".")
    product = Product.objects.filter(market=market, security_code=code).first()
    if product is None:
        raise DomainError(_("no product %(key)s on the shelf") % {"key": key}, field="product")
    return product


def customer_ids_unsuitable(*, product_key: str, customer_ids: frozenset[int], on: dt.date) -> dict[int, tuple[str, ...]]:
    """The customers (of these ids) the product does not suit on `on`, with the reason codes: one query for the customers,
    one for their assets, whatever the batch's size."""
    product = product_by_key(product_key)
    fits = product_fits(product, list(customer_refs_by_id(customer_ids=customer_ids).values()), on=on)
    return {customer_id: fit.reasons for customer_id, fit in fits.items() if not fit.suitable}


# The order products meet a customer in (panel, API): what a broker recommends first (wealth products, funds), listed
# stocks last — every security with a risk level is on the shelf, thousands of stocks included.
TYPE_ORDER = ("wealth", "fund", "bond", "repo", "stock")


def customer_product_fits(*, customer: CustomerRef, on: dt.date | None = None) -> list[ProductFit]:
    """Every product on the shelf as it fits the customer, wealth products and funds first (scope already checked by
    whoever got the CustomerRef)."""
    on = on or scope_date()
    assets = customer_end_assets([customer.id]).get(customer.id)
    rows = Product.objects.values_list("market", "security_code", "name", "product_type", "risk_level", "min_subscription",
                                       "status", "sale_start", "sale_end")
    # The shelf holds thousands of stocks sharing a few sets of terms: plain rows, and one answer per set of terms.
    answers: dict[ProductTerms, Suitability] = {}
    fits = []
    for market, code, name, product_type, risk_level, minimum, status, start, end in sorted(
            rows, key=lambda r: (TYPE_ORDER.index(r[3]), r[0], r[1])):
        terms = ProductTerms(risk_level=risk_level, min_subscription=minimum, on_sale=status == Product.Shelf.ON_SALE,
                             sale_start=start, sale_end=end)
        if terms not in answers:
            answers[terms] = suitability(terms, customer, on=on, assets=assets)
        answer = answers[terms]
        fits.append(ProductFit(market, code, name, product_type, risk_level, minimum, answer.suitable, answer.reasons))
    return fits


@dataclass(frozen=True)
class ProductPanel:
    """The 360° page's products panel: the first suitable and unsuitable products in the shelf's order, and how many of each."""

    suitable: tuple[ProductFit, ...]
    suitable_count: int
    unsuitable: tuple[ProductFit, ...]
    unsuitable_count: int


_TERMS = ("risk_level", "min_subscription", "status", "sale_start", "sale_end")


def customer_product_panel(*, customer: CustomerRef, rows: int, on: dt.date | None = None) -> ProductPanel:
    """customer_product_fits cut to what the panel shows: the first `rows` suitable and unsuitable products (wealth products
    and funds first) and the counts of both, without judging every product of the shelf one by one.

    The shelf's thousands of products share a few sets of terms: each set is counted in SQL and judged once; then the
    products are read in the shelf's order only until both tables are full."""
    on = on or scope_date()
    assets = customer_end_assets([customer.id]).get(customer.id)
    answers: dict[tuple, Suitability] = {}
    counts = {True: 0, False: 0}
    for *terms, n in Product.objects.order_by().values_list(*_TERMS).annotate(n=Count("pk")):
        risk_level, minimum, status, start, end = terms
        answer = suitability(ProductTerms(risk_level=risk_level, min_subscription=minimum, on_sale=status == Product.Shelf.ON_SALE,
                                          sale_start=start, sale_end=end), customer, on=on, assets=assets)
        answers[tuple(terms)] = answer
        counts[answer.suitable] += n
    shown: dict[bool, list[ProductFit]] = {True: [], False: []}
    wanted = {kind: min(rows, counts[kind]) for kind in (True, False)}
    # One type after the other (its index), in chunks: the tables are usually full before the thousands of stocks.
    for product_type in TYPE_ORDER:
        if len(shown[True]) == wanted[True] and len(shown[False]) == wanted[False]:
            break
        shelf = (Product.objects.filter(product_type=product_type).order_by("market", "security_code")
                 .values_list("market", "security_code", "name", *_TERMS))
        for market, code, name, *terms in shelf.iterator(chunk_size=100):
            answer = answers[tuple(terms)]
            if len(shown[answer.suitable]) < wanted[answer.suitable]:
                shown[answer.suitable].append(ProductFit(market, code, name, product_type, terms[0], terms[1], answer.suitable,
                                                         answer.reasons))
                if len(shown[True]) == wanted[True] and len(shown[False]) == wanted[False]:
                    break
    return ProductPanel(tuple(shown[True]), counts[True], tuple(shown[False]), counts[False])


def product_holders(*, user, product: Product) -> tuple[dt.date | None, list[dict]]:
    """(day, holders) of the product on the last published day, only those in the user's scope, with their names."""
    day, rows = security_holders(market=product.market, security_code=product.security_code)
    visible = {c.customer_no: c for c in customer_refs_search(user=user, filters=CustomerFilters(
        customer_nos=frozenset(r["customer_no"] for r in rows)))} if rows else {}
    return day, [{**r, "customer": visible[r["customer_no"]]} for r in rows if r["customer_no"] in visible]


def suitable_customers(*, user, product: Product, filters: CustomerFilters, not_holding: bool = False,
                       on: dt.date | None = None) -> list[CustomerRef]:
    """The customers in scope matching `filters` whom the product suits on `on` (and who do not hold it, if asked)."""
    return campaign_candidates(user=user, product=product, filters=filters, not_holding=not_holding, on=on)[0]


def campaign_candidates(*, user, product: Product, filters: CustomerFilters, not_holding: bool = False,
                        on: dt.date | None = None) -> tuple[list[CustomerRef], dict[str, tuple[str, ...]]]:
    """(the customers in scope matching `filters` whom the product suits and who do not hold it if asked, the others
    the product does not suit: customer_no → reason codes)."""
    on = on or scope_date()
    candidates = customer_refs_search(user=user, filters=filters)
    held = set()
    if not_holding:
        held = {r["customer_no"] for r in security_holders(market=product.market, security_code=product.security_code)[1]}
    fits = product_fits(product, [c for c in candidates if c.customer_no not in held], on=on)
    return ([c for c in candidates if c.id in fits and fits[c.id].suitable],
            {c.customer_no: fits[c.id].reasons for c in candidates if c.id in fits and not fits[c.id].suitable})


def product_sales_trend(*, product: Product, date_from: dt.date, date_to: dt.date) -> list[tuple[str, Decimal, int]]:
    """(month, amount, count) of the product's buys per month, company-wide (a sales figure, no customer shown)."""
    months: dict[str, list] = {}
    for buy in security_buys(securities=[(product.market, product.security_code)], date_from=date_from, date_to=date_to):
        month = months.setdefault(buy["trade_date"].strftime("%Y-%m"), [Decimal(0), 0])
        month[0] += buy["amount"]
        month[1] += 1
    return [(m, amount, count) for m, (amount, count) in sorted(months.items())]


def recommendation_list(*, user, product: Product | None = None, customer_id: int | None = None) -> QuerySet[Recommendation]:
    recs = Recommendation.objects.select_related("product", "customer", "recommended_by").filter(customer_scope_q(user, prefix="customer__"))
    if product is not None:
        recs = recs.filter(product=product)
    if customer_id is not None:
        recs = recs.filter(customer_id=customer_id)
    return recs


def recommendations_exist() -> bool:
    return Recommendation.objects.exists()


def product_names_by_code(codes) -> dict[str, str]:
    """Name per security code for the codes on the shelf (unknown ones are left out): references from other apps' records."""
    return dict(Product.objects.filter(security_code__in=set(codes)).values_list("security_code", "name"))
