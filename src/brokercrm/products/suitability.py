"""The suitability engine (适当性匹配): the one place deciding whether a product fits a customer on a day, and why not.

The 2017 suitability measures: a product may be recommended or sold only when its risk level R is at most the
customer's tolerance C (R1 fits everyone, R5 only C5), and a questionnaire older than SUITABILITY_VALID_YEARS
blocks it until renewed. Every place a product meets a customer (360 panel, recommendations, API, breach check)
calls `suitability`; it reads nothing itself, so a whole list is checked with no query per pair.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from brokercrm.customers.facade import CustomerRef, questionnaire_valid_until

RISK_ABOVE_TOLERANCE = "risk_above_tolerance"
NO_QUESTIONNAIRE = "no_questionnaire"
QUESTIONNAIRE_EXPIRED = "questionnaire_expired"
BELOW_MIN_SUBSCRIPTION = "below_min_subscription"
NOT_ON_SALE = "not_on_sale"
CUSTOMER_NOT_NORMAL = "customer_not_normal"

# Every reason code, in the order they are reported, with the name users see.
REASONS = {
    NOT_ON_SALE: _("Not on sale"),
    CUSTOMER_NOT_NORMAL: _("Account not in normal status"),
    NO_QUESTIONNAIRE: _("No risk questionnaire"),
    QUESTIONNAIRE_EXPIRED: _("Risk questionnaire expired"),
    RISK_ABOVE_TOLERANCE: _("Product risk above the customer's tolerance"),
    BELOW_MIN_SUBSCRIPTION: _("Assets below the minimum subscription"),
}


@dataclass(frozen=True)
class ProductTerms:
    """What suitability needs of a product: its risk level, minimum subscription, shelf status and sale window."""

    risk_level: str
    min_subscription: Decimal
    on_sale: bool
    sale_start: dt.date | None = None
    sale_end: dt.date | None = None


@dataclass(frozen=True)
class Suitability:
    """The answer: suitable, or the reason codes why not (in REASONS order)."""

    suitable: bool
    reasons: tuple[str, ...]


def _level(code: str | None) -> int | None:
    """2 for 'R2' or 'C2'; None for an empty or malformed level."""
    if code and len(code) == 2 and code[1] in "12345":
        return int(code[1])
    return None


def suitability(product: ProductTerms, customer: CustomerRef, *, on: dt.date, assets: Decimal | None = None) -> Suitability:
    """Whether `product` fits `customer` on day `on`; `assets` (the customer's latest assets, None = unknown, counted
    as 0) is checked against the minimum subscription."""
    found = set()
    if not product.on_sale or (product.sale_start and on < product.sale_start) or (product.sale_end and on > product.sale_end):
        found.add(NOT_ON_SALE)
    if customer.status not in settings.SUITABILITY_CUSTOMER_STATUSES:
        found.add(CUSTOMER_NOT_NORMAL)
    tolerance = _level(customer.risk_level)
    if tolerance is None or customer.risk_assessed_on is None:
        found.add(NO_QUESTIONNAIRE)
    elif on >= questionnaire_valid_until(customer.risk_assessed_on):
        found.add(QUESTIONNAIRE_EXPIRED)
    risk = _level(product.risk_level)
    if risk is None or (tolerance is not None and risk > tolerance):  # without a tolerance, no_questionnaire says it
        found.add(RISK_ABOVE_TOLERANCE)
    if product.min_subscription > 0 and (assets or Decimal(0)) < product.min_subscription:
        found.add(BELOW_MIN_SUBSCRIPTION)
    reasons = tuple(code for code in REASONS if code in found)
    return Suitability(not reasons, reasons)
