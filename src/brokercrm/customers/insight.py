"""The trading side of the 360° page, read through the data center's facade from the published snapshot.

Monthly indicators are the customer marts' rows, the same the indicator export reads, so the figures
shown equal the export; daily facts (assets, positions, trades, cash flows, security transfers) are
the published facts. No snapshot yet is an empty panel, never an error.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import localize

from brokercrm.datacenter.facade import customer_trading, latest_customer_month, snapshot_version

RECENT_ROWS = 50


@dataclass
class CustomerInsight:
    available: bool = False
    months: list[dict] = field(default_factory=list)
    daily_assets: list[dict] = field(default_factory=list)
    composition: list[dict] = field(default_factory=list)
    positions: list[dict] = field(default_factory=list)
    positions_date: dt.date | None = None
    trades: list[dict] = field(default_factory=list)
    cash_flows: list[dict] = field(default_factory=list)
    security_transfers: list[dict] = field(default_factory=list)
    # The tables' rows as the page prints them (shown(): dates as YYYY-MM-DD, numbers localised), built once here so
    # the template prints strings instead of running a filter and a number format per cell.
    months_shown: list[dict] = field(default_factory=list)
    positions_shown: list[dict] = field(default_factory=list)
    trades_shown: list[dict] = field(default_factory=list)
    cash_flows_shown: list[dict] = field(default_factory=list)
    security_transfers_shown: list[dict] = field(default_factory=list)


def shown(value) -> str:
    """A value as the 360° page prints it: a date as YYYY-MM-DD, a number localised, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(localize(value))


def shown_rows(rows: list[dict]) -> list[dict]:
    return [{key: shown(value) for key, value in row.items()} for row in rows]


def customer_insight(customer_no: str) -> CustomerInsight:
    """Everything the 360° page shows of one customer's trading, from the snapshot."""
    trading = customer_trading(customer_no, recent=RECENT_ROWS)
    if trading is None:
        return CustomerInsight()
    out = CustomerInsight(available=True, months=list(trading.months), daily_assets=list(trading.daily_assets),
                          positions=list(trading.positions), positions_date=trading.positions_date, trades=list(trading.trades),
                          cash_flows=list(trading.cash_flows), security_transfers=list(trading.security_transfers))
    out.composition = composition(out)
    out.months_shown, out.positions_shown, out.trades_shown = shown_rows(out.months), shown_rows(out.positions), shown_rows(out.trades)
    out.cash_flows_shown, out.security_transfers_shown = shown_rows(out.cash_flows), shown_rows(out.security_transfers)
    return out


def composition(insight: CustomerInsight) -> list[dict]:
    """Asset composition on the latest day: cash and the market value of positions by market."""
    if not insight.daily_assets:
        return []
    last = insight.daily_assets[-1]
    parts = [{"name": "cash", "value": last["cash_balance"]}]
    by_market: dict[str, Decimal] = {}
    if insight.positions and insight.positions_date == last["biz_date"]:
        for p in insight.positions:
            by_market[p["market"]] = by_market.get(p["market"], Decimal("0.00")) + p["market_value"]
    else:
        by_market["securities"] = last["market_value"]
    parts += [{"name": k, "value": v} for k, v in sorted(by_market.items())]
    return [p for p in parts if p["value"]]


def latest_month_figures() -> tuple[str, list[tuple[str, Decimal, Decimal, Decimal]]] | None:
    """The latest month of the customer marts: (period, [(customer_no, end_assets, avg_daily_assets, net_commission)])."""
    return latest_customer_month()
