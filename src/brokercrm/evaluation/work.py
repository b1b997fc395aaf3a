"""Work indicators of staff in a period (visits and service tasks done, counted by the servicing app; research pushes,
counted by the research library), and the product sales measures (product_sales_amount, product_sales_count) summed by
the products app from the trading data."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from brokercrm.evaluation.indicators import PRODUCT_INDICATORS
from brokercrm.products import facade as products
from brokercrm.research import facade as research
from brokercrm.servicing import facade as servicing

# Our indicator name → the servicing facade's name for it.
SERVICING_NAMES = {"visits": "visits_done", "service_tasks_done": "service_tasks_done"}
# Where each work indicator is counted (the pay lines' lineage names it).
WORK_SOURCES = {**dict.fromkeys(SERVICING_NAMES, "servicing.work_indicators"), "research_pushes": "research.research_pushes_by_staff"}


@dataclass(frozen=True)
class WorkIndicators:
    values: dict[str, dict[str, Decimal]]


def work_indicators(staff_nos: list[str], date_from: dt.date, date_to: dt.date) -> WorkIndicators:
    """Each work indicator per staff member (zeros included) by done date in [date_from, date_to]."""
    counted = servicing.work_indicators(staff_nos, date_from, date_to)
    pushes = research.research_pushes_by_staff(staff_nos, date_from, date_to)
    sold = products.product_sales(level="staff", date_from=date_from, date_to=date_to)
    zero = products.ProductSales("", Decimal("0.00"), 0)
    return WorkIndicators({s: {**{name: Decimal(counted[s][SERVICING_NAMES[name]]) for name in SERVICING_NAMES},
                               "research_pushes": Decimal(pushes[s]),
                               **{name: Decimal(getattr(sold.get(s, zero), name)) for name in PRODUCT_INDICATORS}} for s in staff_nos})
