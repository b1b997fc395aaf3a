"""DM layer (数据集市): the indicators of metrics.md per customer, staff and branch, by month and by day.

One query builder, `indicator_select`, computes any level over any list of clipped periods straight
from the DW facts; the marts are that query run over the whole loaded range, and exports reuse it
for periods the marts cannot serve (a month cut by --from/--to). Materialised: customer_month,
staff_month, branch_month, staff_day, branch_day. Not materialised: customer by day (1,000,000
customers × 250 days = 250M rows a year); exports compute it on demand from the facts.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from brokercrm.datacenter.pipelines import changes
from brokercrm.datacenter.pipelines.portable import FAR, Target, as_target, literal, values_table

LEVELS = ("customer", "staff", "branch")
GRAINS = ("month", "day")
UNATTRIBUTED = "UNATTRIBUTED"
INDICATORS = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days",
              "commission", "net_commission", "commission_rate")
COUNTS = ("customer_count", "new_customers", "effective_new_customers")
MATERIALISED = (("customer", "month"), ("staff", "month"), ("branch", "month"), ("staff", "day"), ("branch", "day"))

MONEY = "DECIMAL(38,2)"


@dataclass(frozen=True)
class Period:
    """A period P clipped to the loaded range (and an export's --from/--to), with its trading days T(P)."""

    label: str
    start: dt.date
    end: dt.date
    trading_days: tuple[dt.date, ...]

    @property
    def last_day(self) -> dt.date:
        return self.trading_days[-1]


def plan_periods(sessions: Sequence[dt.date], grain: str, *, date_from: dt.date | None = None,
                 date_to: dt.date | None = None) -> list[Period]:
    """Periods of `grain` over the loaded XSHG sessions (dw.calendar), clipped; empty T(P) dropped."""
    if not sessions:
        return []
    lo = max(sessions[0], date_from or sessions[0])
    hi = min(sessions[-1], date_to or sessions[-1])
    inside = [d for d in sessions if lo <= d <= hi]
    if grain == "day":
        return [Period(d.isoformat(), d, d, (d,)) for d in inside]
    periods = []
    for year, month in sorted({(d.year, d.month) for d in inside}):
        start = max(lo, dt.date(year, month, 1))
        end = min(hi, dt.date(year, month, calendar.monthrange(year, month)[1]))
        days = tuple(d for d in inside if start <= d <= end)
        periods.append(Period(f"{year:04d}-{month:02d}", start, end, days))
    return periods


def loaded_sessions(con) -> list[dt.date]:
    """XSHG trading days between the first and last loaded business dates."""
    target = as_target(con)
    if not target.table_exists("dw", "calendar"):
        return []
    return [row[0] for row in target.fetchall("SELECT business_date FROM dw.calendar ORDER BY business_date")]


def _keys(level: str) -> tuple[str, str | None]:
    """Key expression on fact rows (alias f) and on attribution intervals (alias a)."""
    if level == "customer":
        return "f.customer_no", None
    if level == "staff":
        return f"COALESCE(f.staff_no, '{UNATTRIBUTED}')", f"COALESCE(a.staff_no, '{UNATTRIBUTED}')"
    if level == "branch":
        return "f.branch_code", "a.branch_code"
    raise ValueError(f"unknown level {level!r}")


def _half_up_div(numerator_cents: str, denominator: str) -> str:
    """Exact round-half-up (away from zero) of numerator / denominator for integers, denominator > 0."""
    q = f"((2 * ABS({numerator_cents}) + {denominator}) // (2 * {denominator}))"
    return f"(CASE WHEN {numerator_cents} < 0 THEN -{q} ELSE {q} END)"


def indicator_select(level: str, periods: Sequence[Period], *, effective_assets: Decimal) -> str:
    """SELECT key, period, period_start, period_end, trading_days, <indicators>[, <counts>] over `periods`."""
    fact_key, attr_key = _keys(level)
    period_rows = [(p.label, p.start, p.end, len(p.trading_days), p.last_day) for p in periods]
    day_rows = []
    for p in periods:
        trading = set(p.trading_days)
        day = p.start
        while day <= p.end:
            day_rows.append((day, p.label, day in trading))
            day += dt.timedelta(days=1)
    sample_day = dt.date(2000, 1, 3)
    ctes = {
        "periods": values_table(("period", "p_start", "p_end", "n_days", "last_day"), period_rows,
                                ("", sample_day, sample_day, 1, sample_day)),
        "days": values_table(("d", "period", "trading"), day_rows, (sample_day, "", False)),
        "assets": f"""
            SELECT dy.period, {fact_key} AS key,
                   SUM(CASE WHEN dy.trading THEN f.total_assets ELSE 0 END) AS assets_sum,
                   SUM(CASE WHEN f.biz_date = p.last_day THEN f.total_assets ELSE 0 END) AS end_assets
            FROM dw.fact_assets f JOIN days dy ON dy.d = f.biz_date JOIN periods p ON p.period = dy.period
            GROUP BY 1, 2""",
        "trade_days": f"""
            SELECT dy.period, {fact_key} AS key, f.customer_no, f.trade_date, SUM(f.amount) AS amount,
                   COUNT(*) AS trades, SUM(f.commission) AS commission,
                   SUM(f.commission - f.handling_fee - f.regulatory_fee) AS net_commission
            FROM dw.fact_trades f JOIN days dy ON dy.d = f.trade_date
            GROUP BY 1, 2, 3, 4""",
        "trades": """
            SELECT period, key, SUM(amount) AS trade_amount, SUM(trades) AS trade_count, COUNT(*) AS active_days,
                   SUM(commission) AS commission, SUM(net_commission) AS net_commission
            FROM trade_days GROUP BY 1, 2""",
        "flows": f"""
            SELECT dy.period, {fact_key} AS key, SUM(f.amount) AS net_inflow
            FROM dw.fact_cash_flows f JOIN days dy ON dy.d = f.biz_date
            WHERE f.flow_type IN ('bank_in', 'bank_out') GROUP BY 1, 2""",
        "transfers": f"""
            SELECT dy.period, {fact_key} AS key,
                   SUM(CASE WHEN f.direction = 'in' THEN f.value WHEN f.direction = 'out' THEN -f.value ELSE 0 END)
                       AS net_inflow
            FROM dw.fact_security_transfers f JOIN days dy ON dy.d = f.biz_date GROUP BY 1, 2""",
        # Any delivered row of the customer that day is a fact: its key has a row in the period.
        "present": f"""
            SELECT DISTINCT dy.period, {fact_key} AS key FROM dw.customer_days f JOIN days dy ON dy.d = f.d""",
        "members": _members(level),
    }

    ctes["inflow"] = ("SELECT period, key, SUM(net_inflow) AS net_inflow FROM "
                      "(SELECT * FROM flows UNION ALL SELECT * FROM transfers) AS i GROUP BY 1, 2")
    sources = ["members", "present"]
    if attr_key is not None:
        attribution = "dw.staff_attribution" if level == "staff" else "dw.branch_attribution"
        ctes |= _count_ctes(attr_key, attribution, effective_assets)
        sources += ["counted", "new_counts"]
    # Every key with a row, then each measure joined to it (cheaper than aggregating a wide union).
    ctes["keys"] = " UNION ".join(f"SELECT period, key FROM {source}" for source in sources)
    joins = ["assets a", "trades t", "inflow i"] + (["counted c", "new_counts n"] if attr_key is not None else [])
    counts = ", c.customer_count, n.new_customers, n.effective_new_customers" if attr_key is not None else ""
    ctes["agg"] = f"""
            SELECT k.period, k.key, a.end_assets, i.net_inflow, t.trade_amount, t.commission, t.net_commission,
                   t.trade_count, t.active_days{counts},
                   CAST(COALESCE(a.assets_sum, 0) * 100 AS BIGINT) AS assets_cents,
                   CAST(COALESCE(t.commission, 0) * 100 AS BIGINT) AS commission_cents,
                   CAST(COALESCE(t.trade_amount, 0) * 100 AS BIGINT) AS amount_cents
            FROM keys k {" ".join(f"LEFT JOIN {j} ON {j[-1]}.period = k.period AND {j[-1]}.key = k.key" for j in joins)}
            WHERE k.key IS NOT NULL"""
    # The two divisions, in integer cents / micro-units so they round exactly (see _half_up_div).
    avg_cents = _half_up_div("g.assets_cents", "CAST(p.n_days AS BIGINT)")
    rate_micro = _half_up_div("g.commission_cents * 1000000", "ABS(g.amount_cents)")
    columns = [
        "g.key", "g.period", "p.p_start AS period_start", "p.p_end AS period_end",
        "CAST(p.n_days AS INTEGER) AS trading_days",
        f"CAST(CAST({avg_cents} AS DECIMAL(38,0)) * CAST(0.01 AS DECIMAL(3,2)) AS {MONEY}) AS avg_daily_assets",
        *(f"CAST(COALESCE(g.{m}, 0) AS {MONEY}) AS {m}" for m in ("end_assets", "net_inflow", "trade_amount")),
        *(f"CAST(COALESCE(g.{c}, 0) AS BIGINT) AS {c}" for c in ("trade_count", "active_days")),
        *(f"CAST(COALESCE(g.{m}, 0) AS {MONEY}) AS {m}" for m in ("commission", "net_commission")),
        f"CAST(CASE WHEN g.amount_cents = 0 THEN NULL ELSE CAST(CASE WHEN g.amount_cents < 0 THEN -{rate_micro} "
        f"ELSE {rate_micro} END AS DECIMAL(38,0)) * CAST(0.000001 AS DECIMAL(7,6)) END AS DECIMAL(18,6)) "
        "AS commission_rate",
    ]
    if attr_key is not None:
        columns += [f"CAST(COALESCE(g.{c}, 0) AS BIGINT) AS {c}" for c in COUNTS]
    with_clause = ",\n".join(f"{name} AS ({sql})" for name, sql in ctes.items())
    return f"WITH {with_clause}\nSELECT {', '.join(columns)} FROM agg g JOIN periods p ON p.period = g.period"


def _members(level: str) -> str:
    """Keys that have a row in P whatever their facts (metrics.md "Which rows exist")."""
    if level == "customer":
        return f"""SELECT p.period, c.customer_no AS key FROM periods p JOIN dw.customers_current c
                  ON c.open_date <= p.p_end AND COALESCE(c.close_date, {FAR}) >= p.p_start"""
    if level == "staff":
        # employed on some d of P: hire_date <= d < leave_date
        return f"""SELECT p.period, s.staff_no AS key FROM periods p JOIN dw.staff s
                  ON s.hire_date <= p.p_end
                 AND COALESCE(s.leave_date, {FAR}) > p.p_start AND COALESCE(s.leave_date, {FAR}) > s.hire_date"""
    return """SELECT p.period, b.branch_code AS key FROM periods p JOIN dw.branches b ON b.opened_on <= p.p_end"""


def _count_ctes(attr_key: str, attribution: str, effective_assets: Decimal) -> dict[str, str]:
    """customer_count (open on the last day of T(P), attributed there), new and effective new customers."""
    threshold = f"CAST({literal(Decimal(effective_assets))} AS {MONEY})"
    return {
        # Open customers per key change only where an attribution interval starts or ends: a running
        # sum over those dates, looked up at each period's last day, avoids customers × days.
        "events": f"""
            SELECT {attr_key} AS key, a.valid_from AS d, 1 AS delta FROM {attribution} a
            UNION ALL SELECT {attr_key} AS key, a.valid_to AS d, -1 AS delta FROM {attribution} a
            WHERE a.valid_to IS NOT NULL""",
        "event_days": "SELECT key, d, SUM(delta) AS delta FROM events GROUP BY 1, 2",
        "running": """
            SELECT key, d, SUM(delta) OVER (PARTITION BY key ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING
                                            AND CURRENT ROW) AS open_customers,
                   LEAD(d) OVER (PARTITION BY key ORDER BY d) AS next_d
            FROM event_days""",
        "counted": f"""
            SELECT p.period, r.key, r.open_customers AS customer_count
            FROM periods p JOIN running r ON r.d <= p.last_day AND p.last_day < COALESCE(r.next_d, {FAR})
            WHERE r.open_customers <> 0""",
        "new_customers": f"""
            SELECT dy.period, c.customer_no, {attr_key} AS key
            FROM dw.customers_current c JOIN days dy ON dy.d = c.open_date
            LEFT JOIN {attribution} a ON a.customer_no = c.customer_no AND a.valid_from <= c.open_date
                                      AND c.open_date < COALESCE(a.valid_to, {FAR})""",
        "new_peaks": """
            SELECT n.period, n.customer_no, MAX(f.total_assets) AS peak
            FROM new_customers n JOIN dw.fact_assets f ON f.customer_no = n.customer_no
            JOIN days dy ON dy.d = f.biz_date AND dy.period = n.period AND dy.trading
            GROUP BY 1, 2""",
        "new_counts": f"""
            SELECT n.period, n.key, COUNT(*) AS new_customers,
                   SUM(CASE WHEN m.peak >= {threshold} THEN 1 ELSE 0 END) AS effective_new_customers
            FROM new_customers n LEFT JOIN new_peaks m ON m.period = n.period AND m.customer_no = n.customer_no
            GROUP BY 1, 2""",
    }


def computed_select(con, *, level: str, grain: str, date_from: dt.date | None = None,
                    date_to: dt.date | None = None, effective_assets: Decimal = Decimal("10000.00")) -> str:
    """The indicators of any level and grain computed from the facts (e.g. customer by day, not materialised)."""
    periods = plan_periods(loaded_sessions(con), grain, date_from=date_from, date_to=date_to)
    return indicator_select(level, periods, effective_assets=effective_assets)


def mart_table(level: str, grain: str) -> str:
    return f"dm.{level}_{grain}"


def build_marts(con, *, effective_assets: Decimal = Decimal("10000.00"), full: bool = False) -> dict[str, int]:
    """Bring every materialised mart up to date over the loaded range; returns rows per mart table.

    On DuckDB only the months `dw.mart_todo` names are computed again per level (changes.py) and the rebuilt months
    are noted in `dw.lake_todo` for the publish, in the same transaction; every month when the marts are missing, the
    threshold changed, or `full`. The result equals a full rebuild (tests/test_incremental.py)."""
    target: Target = as_target(con)
    sessions = loaded_sessions(target)
    plans = {grain: plan_periods(sessions, grain) for grain in GRAINS}
    track = target.dialect == "duckdb"
    months = _months_todo(target, effective_assets) if track and not full else None
    rows = {}
    with target.transaction():
        for level, grain in MATERIALISED:
            table = mart_table(level, grain)
            if months is None:
                target.replace_table(table, indicator_select(level, plans[grain], effective_assets=effective_assets))
            elif months.get(level):
                todo = sorted(months[level])
                target.execute(f"DELETE FROM {table} WHERE substr(period, 1, 7) IN ({', '.join(literal(m) for m in todo)})")
                periods = [p for p in plans[grain] if p.label[:7] in months[level]]
                if periods:
                    target.execute(f"INSERT INTO {table} {indicator_select(level, periods, effective_assets=effective_assets)}")
                changes.mark_months(target, lake_tables=(table,), months=todo)
            rows[table] = target.scalar(f"SELECT count(*) FROM {table}")
        period_rows = [(grain, p.label, p.start, p.end, len(p.trading_days), p.last_day)
                       for grain in GRAINS for p in plans[grain]]
        sample_day = dt.date(2000, 1, 3)
        target.replace_table("dm.periods", values_table(
            ("grain", "period", "period_start", "period_end", "trading_days", "last_day"), period_rows,
            ("", "", sample_day, sample_day, 1, sample_day)))
        target.replace_table("dm.build_info", f"SELECT CAST({literal(Decimal(effective_assets))} AS DECIMAL(18,2)) "
                                              "AS effective_assets, CURRENT_TIMESTAMP AS built_at")
        if track:
            changes.ensure_todo(target)
            if months is None:
                changes.mark_everything(target, marts=False, lake_tables=[mart_table(lv, g) for lv, g in MATERIALISED])
            target.execute("DELETE FROM dw.mart_todo")
    return rows


def _months_todo(target: Target, effective_assets: Decimal) -> dict[str, set[str]] | None:
    """level → the months to compute again, from dw.mart_todo; None for every month."""
    if not target.table_exists("dw", "mart_todo") or not target.table_exists("dm", "build_info") or any(
            not target.table_exists("dm", mart_table(level, grain).split(".")[1]) for level, grain in MATERIALISED):
        return None
    if target.scalar("SELECT max(effective_assets) FROM dm.build_info") != Decimal(effective_assets).quantize(Decimal("0.01")):
        return None
    months: dict[str, set[str]] = {}
    for level, month in target.fetchall("SELECT DISTINCT level, month FROM dw.mart_todo"):
        if month == changes.ALL:
            return None
        months.setdefault(level, set()).add(month)
    return months
