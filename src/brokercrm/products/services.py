"""Writes of the product shelf and recommendations: each in a transaction, role-checked and audited."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from brokercrm.core.audit import audit_created_many, audit_record, diff, snapshot
from brokercrm.core.csvfiles import read_rows
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.exports import write_csv
from brokercrm.core.money import to_money
from brokercrm.core.permissions import require_role
from brokercrm.customers.facade import CustomerFilters, customer_contact, customer_contacts_in_scope, customer_get, scope_date
from brokercrm.datacenter.facade import SecurityRow, add_trading_days, security_buys
from brokercrm.org.facade import PRODUCT_EDITORS, PRODUCT_RECOMMENDERS
from brokercrm.products.models import RISK_LEVELS, Product, Recommendation
from brokercrm.products.selectors import campaign_candidates, product_fits, product_get
from brokercrm.servicing.facade import message_enqueue

PRODUCT_COLUMNS = ["market", "security_code", "name", "product_type", "risk_level", "min_subscription", "status"]
MARKETS = ("SH", "SZ", "BJ", "OF")
# Fields head office edits on the product page (the import covers the CSV's columns).
EDITABLE = ("name", "product_type", "issuer", "risk_level", "min_subscription", "term_days", "fees", "sale_start", "sale_end",
            "status", "target_segments", "description")


def _audited(product: Product) -> dict:
    """The product's audited values, documents by their stored file names."""
    values = snapshot(product, [f.attname for f in Product._meta.concrete_fields
                                if f.name not in {"id", "created_at", "updated_at", "prospectus", "risk_disclosure"}])
    return {**values, "prospectus": product.prospectus.name or "", "risk_disclosure": product.risk_disclosure.name or ""}


class RecommendationRefused(DomainError):
    """The product does not suit the customer: nothing is sent; `reasons` are the suitability engine's codes."""

    def __init__(self, reasons: tuple[str, ...]):
        super().__init__(_("not suitable: %(reasons)s") % {"reasons": ", ".join(reasons)}, field="security_code")
        self.reasons = reasons


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int


@transaction.atomic
def product_sync(*, securities: list[SecurityRow]) -> SyncResult:
    """Every delivered security with a risk level becomes a product (the system's write after each load); a changed
    delivered risk level replaces the shelf's and is audited."""
    existing = {(p.market, p.security_code): p for p in Product.objects.all()}
    new, updated = [], 0
    for s in securities:
        if s.risk_level not in RISK_LEVELS:
            continue
        product = existing.get((s.market, s.security_code))
        if product is None:
            new.append(Product(market=s.market, security_code=s.security_code, name=s.security_name,
                               product_type=s.security_type if s.security_type in Product.Type.values else Product.Type.FUND,
                               risk_level=s.risk_level, delivered_risk_level=s.risk_level))
        elif product.delivered_risk_level != s.risk_level or product.name != s.security_name:
            before = _audited(product)
            if product.delivered_risk_level != s.risk_level:
                product.risk_level = product.delivered_risk_level = s.risk_level
            product.name = s.security_name
            product.save()
            audit_record(actor=None, action="update", instance=product, changes=diff(before, _audited(product)), note="delivered security")
            updated += 1
    # The first load brings every security at once: created and audited in bulk.
    audit_created_many(actor=None, instances=Product.objects.bulk_create(new, batch_size=2000), note="delivered security")
    return SyncResult(len(new), updated)


@transaction.atomic
def product_update(*, actor, product: Product, data: dict) -> Product:
    """Head office enriches a product; every change, the risk level's first, is audited (suitability is computed on
    each use, so a new risk level applies at once)."""
    require_role(actor, PRODUCT_EDITORS)
    before = _audited(product)
    for name in EDITABLE:
        if name in data:
            setattr(product, name, data[name])
    for name in ("prospectus", "risk_disclosure"):
        if data.get(name):
            setattr(product, name, data[name])
    product.full_clean()
    product.save()
    changes = diff(before, _audited(product))
    if changes:
        audit_record(actor=actor, action="update", instance=product, changes=changes)
    return product


def product_edit(*, actor, market: str, security_code: str, data: dict) -> None:
    """product_update by key, for other apps (the demo) that hold no Product row."""
    product_update(actor=actor, product=product_get(market=market, security_code=security_code), data=data)


def _parse_row(values: dict, *, problem) -> dict | None:
    ok = True

    def bad(column: str, message: str) -> None:
        nonlocal ok
        ok = False
        problem(column, message)

    for column in PRODUCT_COLUMNS:
        if column != "min_subscription" and not values[column]:
            bad(column, _("is required"))
    if values["market"] and values["market"] not in MARKETS:
        bad("market", _("'%(v)s' is not one of %(choices)s") % {"v": values["market"], "choices": ", ".join(MARKETS)})
    if values["product_type"] and values["product_type"] not in Product.Type.values:
        bad("product_type", _("'%(v)s' is not one of %(choices)s") % {"v": values["product_type"], "choices": ", ".join(Product.Type.values)})
    if values["risk_level"] and values["risk_level"] not in RISK_LEVELS:
        bad("risk_level", _("'%(v)s' is not one of %(choices)s") % {"v": values["risk_level"], "choices": ", ".join(RISK_LEVELS)})
    if values["status"] and values["status"] not in Product.Shelf.values:
        bad("status", _("'%(v)s' is not one of %(choices)s") % {"v": values["status"], "choices": ", ".join(Product.Shelf.values)})
    minimum = Decimal(0)
    if values["min_subscription"]:
        try:
            minimum = Decimal(values["min_subscription"])
            if not minimum.is_finite() or minimum < 0 or minimum != to_money(minimum):
                raise InvalidOperation
        except InvalidOperation:
            bad("min_subscription", _("'%(v)s' is not an amount ≥ 0 with at most 2 decimals") % {"v": values["min_subscription"]})
    if values["name"] and len(values["name"]) > 100:
        bad("name", _("at most 100 characters"))
    if not ok:
        return None
    return {"name": values["name"], "product_type": values["product_type"], "risk_level": values["risk_level"],
            "min_subscription": to_money(minimum), "status": values["status"]}


@transaction.atomic
def product_import(*, actor, data: bytes, file_name: str) -> SyncResult:
    """`brokercrm products import FILE.csv`: create or update products by (market, security_code); every bad row is
    reported as FILE:LINE:COLUMN and nothing is imported when any row is bad."""
    require_role(actor, PRODUCT_EDITORS)
    rows, problems = read_rows(data, file=file_name, columns=PRODUCT_COLUMNS)
    parsed: dict[tuple[str, str], dict] = {}
    for row in rows:
        def problem(column: str, message: str, line=row.line) -> None:
            problems.append(Problem(message, file=file_name, line=line, column=column))

        fields = _parse_row(row.values, problem=problem)
        key = (row.values["market"], row.values["security_code"])
        if key in parsed:
            problem("security_code", _("%(key)s appears twice in the file") % {"key": ".".join(key)})
        elif fields is not None:
            parsed[key] = fields
    if problems:
        raise InputRejected(problems)
    existing = {(p.market, p.security_code): p for p in Product.objects.filter(security_code__in={k[1] for k in parsed})}
    created = updated = 0
    for (market, code), fields in parsed.items():
        product = existing.get((market, code))
        if product is None:
            product = Product.objects.create(market=market, security_code=code, **fields)
            audit_record(actor=actor, action="import", instance=product, changes=diff({}, _audited(product)), note=file_name)
            created += 1
            continue
        before = _audited(product)
        for name, value in fields.items():
            setattr(product, name, value)
        changes = diff(before, _audited(product))
        if changes:
            product.save()
            audit_record(actor=actor, action="import", instance=product, changes=changes, note=file_name)
            updated += 1
    return SyncResult(created, updated)


def product_export(*, out: Path) -> int:
    """`brokercrm products export --out FILE.csv`: the shelf in the import's columns; returns the number of rows."""
    rows = ([p.market, p.security_code, p.name, p.product_type, p.risk_level, p.min_subscription, p.status]
            for p in Product.objects.order_by("market", "security_code"))
    return write_csv(rows, PRODUCT_COLUMNS, out)


def _recipient(contact, channel: str) -> str:
    return contact.email if channel == "email" else contact.mobile


def _send(*, actor, product: Product, customer, channel: str, campaign: str, contact=None) -> Recommendation:
    contact = contact or customer_contact(customer_id=customer.id)
    recipient = _recipient(contact, channel)
    if not recipient:
        raise DomainError(_("%(customer)s has no address for channel %(channel)s") % {"customer": customer, "channel": channel},
                          field="channel")
    recommendation = Recommendation.objects.create(product=product, customer_id=customer.id, channel=channel,
                                                   recommended_by=actor if getattr(actor, "pk", None) else None,
                                                   biz_date=scope_date(), campaign=campaign)
    body = _("Dear %(name)s, we recommend %(product)s (risk level %(risk)s) to you. Please read the prospectus and the risk "
             "disclosure before buying.") % {"name": contact.name, "product": product.name, "risk": product.risk_level}
    message_enqueue(channel=channel, recipient=recipient, body_text=body, subject=_("Product recommendation: %(p)s") % {"p": product.name},
                    dedupe_key=f"product-rec:{recommendation.pk}", customer_id=customer.id)
    audit_record(actor=actor, action="create", instance=recommendation, object_repr=f"{product} → {customer.customer_no}",
                 changes={"channel": [None, channel], "campaign": [None, campaign]})
    return recommendation


def recommendation_create(*, actor, customer_no: str, market: str, security_code: str, channel: str) -> Recommendation:
    """Recommend one product to one customer in the actor's scope (404 outside); an unsuitable product is refused
    with its reasons (RecommendationRefused), never sent, and the refused attempt is audited.

    Not one transaction as a whole: the refusal's audit entry must outlive the error it raises; the send is atomic.
    """
    require_role(actor, PRODUCT_RECOMMENDERS)
    customer = customer_get(user=actor, customer_no=customer_no)
    product = product_get(market=market, security_code=security_code)
    if channel not in Recommendation.Channel.values:
        raise DomainError(_("unknown channel '%(c)s'") % {"c": channel}, field="channel")
    answer = product_fits(product, [customer], on=scope_date())[customer.id]
    if not answer.suitable:
        audit_record(actor=actor, action="create", object_type="products.recommendation", object_id="",
                     object_repr=f"{product} → {customer.customer_no}", changes={"refused": list(answer.reasons)},
                     note="recommendation refused")
        raise RecommendationRefused(answer.reasons)
    with transaction.atomic():
        return _send(actor=actor, product=product, customer=customer, channel=channel, campaign="")


@transaction.atomic
def recommendation_campaign(*, actor, product: Product, filters: CustomerFilters, channel: str, not_holding: bool) -> int:
    """Recommend the product to every customer in scope it suits (matching the filters), as one campaign; returns
    how many were sent. Customers without an address on the channel are left out; those the product does not suit are
    never sent to, and the campaign's audit entry keeps them with their reasons."""
    require_role(actor, PRODUCT_RECOMMENDERS)
    if channel not in Recommendation.Channel.values:
        raise DomainError(_("unknown channel '%(c)s'") % {"c": channel}, field="channel")
    campaign = f"{product.market}.{product.security_code}:{dt.datetime.now():%Y%m%d%H%M%S}"
    suited, refused = campaign_candidates(user=actor, product=product, filters=filters, not_holding=not_holding)
    contacts = {c.id: c for c in customer_contacts_in_scope(user=None, customer_ids=[c.id for c in suited])}
    sent = 0
    for customer in suited:
        contact = contacts.get(customer.id)
        if contact is not None and _recipient(contact, channel):
            _send(actor=actor, product=product, customer=customer, channel=channel, campaign=campaign, contact=contact)
            sent += 1
    audit_record(actor=actor, action="create", object_type="products.recommendation", object_id="", object_repr=f"{product} campaign",
                 changes={"campaign": [None, campaign], "sent": [None, sent], "unsuitable": [None, {n: list(r) for n, r in refused.items()}]},
                 note="recommendation campaign")
    return sent


@transaction.atomic
def recommendation_conversions_refresh(*, today: dt.date | None = None) -> int:
    """Mark each open recommendation bought when its customer bought the product within N trading days after it
    (PRODUCT_CONVERSION_TRADING_DAYS), from the deliveries; returns how many converted now."""
    today = today or scope_date()
    window = settings.PRODUCT_CONVERSION_TRADING_DAYS
    # A recommendation whose window closed before `today` cannot convert any more: not read again.
    open_recs = list(Recommendation.objects.select_related("product", "customer").filter(
        converted_on__isnull=True, biz_date__gte=add_trading_days(today, -window, provisional=True)))
    if not open_recs:
        return 0
    first = min(r.biz_date for r in open_recs)
    buys = security_buys(securities=sorted({(r.product.market, r.product.security_code) for r in open_recs}),
                         date_from=first, date_to=today, customer_nos=sorted({r.customer.customer_no for r in open_recs}))
    buys_of: dict[tuple, list[dict]] = {}
    for b in buys:  # in trade order: the first buy in the window converts
        buys_of.setdefault((b["customer_no"], b["market"], b["security_code"]), []).append(b)
    converted = 0
    for rec in open_recs:
        until = add_trading_days(rec.biz_date, window, provisional=True)
        hit = next((b for b in buys_of.get((rec.customer.customer_no, rec.product.market, rec.product.security_code), ())
                    if rec.biz_date <= b["trade_date"] <= until), None)
        if hit is not None:
            rec.converted_on, rec.converted_amount = hit["trade_date"], hit["amount"]
            rec.save(update_fields=["converted_on", "converted_amount"])
            converted += 1
    return converted
