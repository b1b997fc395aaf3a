"""Product sales (产品销售) from the trading data: buys (side B) of the shelf's products sold off the exchange
(PRODUCT_SALES_MARKETS, `OF`), attributed like every fact (branch of the customer version in force, staff of the
development relation in force)."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from brokercrm.core.money import to_money
from brokercrm.datacenter.facade import security_buys
from brokercrm.products.models import Product

PRODUCT_SALES_MEASURES = ("product_sales_amount", "product_sales_count")
UNATTRIBUTED = "UNATTRIBUTED"
_LEVEL_KEY = {"customer": "customer_no", "staff": "staff_no", "branch": "branch_code"}


@dataclass(frozen=True)
class ProductSales:
    """One key's product sales in a period: Σ amount of the buys and their count."""

    key: str
    product_sales_amount: Decimal
    product_sales_count: int


def product_sales(*, level: str, date_from: dt.date, date_to: dt.date) -> dict[str, ProductSales]:
    """Product sales per customer_no, staff_no or branch_code (level customer/staff/branch) in [date_from, date_to];
    buys on days without a development relation go to UNATTRIBUTED at staff level."""
    column = _LEVEL_KEY[level]
    securities = list(Product.objects.filter(market__in=settings.PRODUCT_SALES_MARKETS).values_list("market", "security_code"))
    sums: dict[str, list] = {}
    for buy in security_buys(securities=securities, date_from=date_from, date_to=date_to) if securities else []:
        key = buy[column] or UNATTRIBUTED
        entry = sums.setdefault(key, [Decimal(0), 0])
        entry[0] += buy["amount"]
        entry[1] += 1
    return {key: ProductSales(key, to_money(amount), count) for key, (amount, count) in sorted(sums.items())}
