"""Effect of service (服务效果) per strategy: for each month a strategy served customers, the served customers against
the comparable unserved ones of the same segment that month, by their next month's net inflow, trades and trade amount
(the customer month mart, metrics.md).

Served = a message of the strategy sent, or a task of the strategy done (on its business date), in the month.
Comparable = the segment's members that month (analytics memberships of that month, open accounts) not served.
Averages per customer, half-up to 0.01; a group without customers shows none.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models.functions import TruncMonth

from brokercrm.core.errors import DomainError
from brokercrm.core.money import to_money
from brokercrm.datacenter.facade import month_indicators
from brokercrm.servicing.models import OutboxMessage, ServiceTask, Strategy
from brokercrm.servicing.segments import segment_member_contacts
from brokercrm.servicing.services.strategies import month_end


@dataclass(frozen=True)
class GroupEffect:
    customers: int
    with_data: int
    net_inflow: Decimal | None
    trades: Decimal | None
    trade_amount: Decimal | None


@dataclass(frozen=True)
class MonthEffect:
    month: str
    following: str
    served: GroupEffect
    unserved: GroupEffect


def _next_month(month: str) -> str:
    year, number = (int(x) for x in month.split("-"))
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def _served_by_month(strategy: Strategy) -> dict[str, set[str]]:
    served: dict[str, set[str]] = {}
    messages = (OutboxMessage.objects.filter(dedupe_key__startswith=f"strategy:{strategy.pk}:", status=OutboxMessage.Status.SENT)
                .annotate(month=TruncMonth("sent_at")).values_list("month", "customer__customer_no"))
    for month, no in messages:
        if no:
            served.setdefault(f"{month:%Y-%m}", set()).add(no)
    for done_on, no in ServiceTask.objects.filter(strategy=strategy, status=ServiceTask.Status.DONE, done_on__isnull=False).values_list(
            "done_on", "customer__customer_no"):
        served.setdefault(f"{done_on:%Y-%m}", set()).add(no)
    return served


def _group(numbers: set[str], values: dict, following: str) -> GroupEffect:
    rows = [values[no][following] for no in numbers if following in values.get(no, {})]
    if not rows:
        return GroupEffect(len(numbers), 0, None, None, None)

    def mean(name: str) -> Decimal:
        return to_money(sum((Decimal(r[name] or 0) for r in rows), Decimal(0)) / len(rows))

    return GroupEffect(len(numbers), len(rows), mean("net_inflow"), mean("trade_count"), mean("trade_amount"))


def strategy_effect(strategy: Strategy) -> list[MonthEffect]:
    """Served against unserved per month served, newest first; months whose segment cannot be read are left out."""
    result = []
    for month, served in sorted(_served_by_month(strategy).items(), reverse=True):
        try:
            members = {c.customer_no for c in segment_member_contacts(strategy.segment, period=month, day=month_end(month))}
        except DomainError:
            members = set(served)
        unserved = members - served
        following = _next_month(month)
        try:
            values = month_indicators("customer", [following], keys=sorted(served | unserved)).values
        except DomainError:
            values = {}
        result.append(MonthEffect(month, following, _group(served, values, following), _group(unserved, values, following)))
    return result
