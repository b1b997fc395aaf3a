"""The semantic layer (语义层) of the warehouse measures: measures × dimensions × period × filter → one SQL statement.

Every measure of metrics.md is declared once here with its kind (money, count, rate) and computed the way the marts
compute it (pipelines/dm.py), but grouped by any dimensions: grouped by staff_no × month it equals the staff export,
by branch_code × month the branch export, by customer_no × day the customer day export. Each fact keeps the staff of
the development relation and the branch of the customer version in force on its own date (stamped by the DW), so
attribution needs no work here. The query runs over the published snapshot (the web's copy), never the warehouse.

Filters are formulas of the shared language (platform/formula.py) over the dimensions only: the formula is checked
against the whitelist of dimension names and compiled to SQL by its own compiler, so no user text reaches SQL. The
data scope arrives as a plain list of customer numbers (None = every customer), bound as a parameter.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence

import pyarrow as pa
from django.conf import settings

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines.dm import (COUNTS, INDICATORS, MATERIALISED, UNATTRIBUTED, Period, _half_up_div,
                                               mart_table, plan_periods)
from brokercrm.datacenter.pipelines.portable import FAR, literal, values_table
from brokercrm.datacenter.pipelines.publish import current_snapshot
from brokercrm.datacenter.reader import LEVEL_INDICATORS, _snapshot
from brokercrm.platform.facade import FormulaError, compile_formula

MONEY, COUNT, RATE = "money", "count", "rate"
MEASURE_KINDS: dict[str, str] = {
    "avg_daily_assets": MONEY, "end_assets": MONEY, "net_inflow": MONEY, "trade_amount": MONEY, "trade_count": COUNT,
    "active_days": COUNT, "commission": MONEY, "net_commission": MONEY, "commission_rate": RATE,
    "customer_count": COUNT, "new_customers": COUNT, "effective_new_customers": COUNT,
}
WAREHOUSE_MEASURES = (*INDICATORS, *COUNTS)
# The facts each measure is computed from: a query reads only the fact tables of the measures it asks, and its rows
# are the groups with at least one of those facts.
_FAMILIES = {"avg_daily_assets": "assets", "end_assets": "assets", "net_inflow": "inflow", "customer_count": "counts",
             "new_customers": "counts", "effective_new_customers": "counts",
             **{m: "trades" for m in ("trade_amount", "trade_count", "active_days", "commission", "net_commission",
                                      "commission_rate")}}
# The mart columns that are non-zero when a key has facts of a family in a period (the marts list every key).
_FAMILY_PRESENCE = {"assets": ("avg_daily_assets", "end_assets"), "trades": ("trade_count",), "inflow": ("net_inflow",),
                    "counts": ("customer_count", "new_customers")}
TIME_DIMENSIONS = ("day", "month", "quarter", "year")
# Dimensions every fact carries (its customer, the staff and branch in force on its date) or reaches through the
# customer's current profile; the attribute dimensions (tier, team, …) are handed in as plain values by the caller.
FACT_DIMENSIONS = ("customer_no", "staff_no", "branch_code")
PROFILE_DIMENSIONS = ("customer_type", "risk_level")
CUSTOMER_ATTRIBUTES = ("tier",)
STAFF_ATTRIBUTES = ("team", "staff_category", "staff_level")
# Dimensions of a customer in a month: the asset band of the month's end assets (dm.customer_month, bands given by
# the caller) and the behaviour groups of the month (handed in; a customer in two groups counts in each).
CUSTOMER_MONTH_DIMENSIONS = ("asset_band", "behaviour_group")
WAREHOUSE_DIMENSIONS = (*FACT_DIMENSIONS, *TIME_DIMENSIONS, *PROFILE_DIMENSIONS, *CUSTOMER_ATTRIBUTES, *STAFF_ATTRIBUTES,
                        *CUSTOMER_MONTH_DIMENSIONS)
_MONEY_SQL = "DECIMAL(38,2)"


class SemanticError(DomainError):
    """A query the layer refuses: `field` is the parameter (measures, by, from, to, where), `value` what was given,
    `column` the 1-based position of a filter error."""

    def __init__(self, message: str, *, field: str, value: str, column: int | None = None):
        super().__init__(message, field=field)
        self.value, self.column = value, column


@dataclass(frozen=True)
class SemanticQuery:
    """What to compute. customers: the data scope (None = all); attributes: dimension → {customer_no or staff_no → value};
    asset_bands: (lower bound, label) in ascending order, the first bound 0; behaviour_groups: {(customer_no, month
    YYYY-MM): group names}."""

    measures: tuple[str, ...]
    by: tuple[str, ...]
    date_from: dt.date
    date_to: dt.date
    where: str = ""
    customers: tuple[str, ...] | None = None
    attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    asset_bands: tuple[tuple[Decimal, str], ...] = ()
    behaviour_groups: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SemanticResult:
    """Columns (dimensions, then measures, as asked) and rows sorted by the dimensions, UNATTRIBUTED last."""

    snapshot: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def semantic_check(query: SemanticQuery) -> None:
    """Refuse an unknown measure or dimension, a bad period or a bad filter (SemanticError naming parameter and value)."""
    if not query.measures:
        raise SemanticError("name at least one measure", field="measures", value="")
    for name in query.measures:
        if name not in MEASURE_KINDS:
            raise SemanticError(f"unknown measure {name!r}", field="measures", value=name)
    if len(set(query.measures)) != len(query.measures):
        raise SemanticError(f"a measure is named twice in {','.join(query.measures)!r}", field="measures",
                            value=",".join(query.measures))
    for name in query.by:
        if name not in WAREHOUSE_DIMENSIONS:
            raise SemanticError(f"unknown dimension {name!r}", field="by", value=name)
    if len(set(query.by)) != len(query.by):
        raise SemanticError(f"a dimension is named twice in {','.join(query.by)!r}", field="by", value=",".join(query.by))
    times = [d for d in query.by if d in TIME_DIMENSIONS]
    if len(times) > 1:
        raise SemanticError(f"group by at most one of day, month, quarter, year, not {','.join(times)!r}", field="by",
                            value=",".join(times))
    if query.date_from > query.date_to:
        raise SemanticError(f"from {query.date_from.isoformat()} is after to {query.date_to.isoformat()}", field="from",
                            value=query.date_from.isoformat())
    if query.where.strip():
        _filter(query.where)


def _filter(text: str):
    try:
        formula = compile_formula(text, {name: "text" for name in WAREHOUSE_DIMENSIONS})
    except FormulaError as exc:
        raise SemanticError(f"column {exc.column}: {exc.message} in {text!r}", field="where", value=text, column=exc.column) from None
    if formula.result_type not in ("bool", "any"):
        raise SemanticError(f"column 1: a filter must be a condition (true or false), not {text!r}", field="where", value=text, column=1)
    return formula


def semantic_periods(sessions: Sequence[dt.date], grain: str | None, date_from: dt.date, date_to: dt.date) -> list[Period]:
    """Periods of a time dimension (None = the whole range as one period), clipped like the marts' (metrics.md)."""
    if grain in ("day", "month"):
        return plan_periods(sessions, grain, date_from=date_from, date_to=date_to)
    if not sessions:
        return []
    lo, hi = max(sessions[0], date_from), min(sessions[-1], date_to)
    inside = [d for d in sessions if lo <= d <= hi]
    if grain is None:
        return [Period("all", lo, hi, tuple(inside))] if inside else []
    periods = []
    if grain == "quarter":
        buckets = sorted({(d.year, (d.month - 1) // 3 + 1) for d in inside})
        spans = [(f"{y:04d}-Q{q}", dt.date(y, 3 * q - 2, 1),
                  dt.date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])) for y, q in buckets]
    else:
        spans = [(f"{y:04d}", dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in sorted({d.year for d in inside})]
    for label, start, end in spans:
        start, end = max(lo, start), min(hi, end)
        periods.append(Period(label, start, end, tuple(d for d in inside if start <= d <= end)))
    return periods


@dataclass(frozen=True)
class _Row:
    """How one kind of row (a fact, an open customer on a period's last day, a new customer) reaches each dimension."""

    customer: str
    date: str
    staff: str
    branch: str
    period: str

    def dimension(self, name: str) -> str:
        if name in TIME_DIMENSIONS:
            return self.period
        if name == "customer_no":
            return self.customer
        if name == "staff_no":
            return f"COALESCE({self.staff}, '{UNATTRIBUTED}')"
        if name == "branch_code":
            return self.branch
        if name in PROFILE_DIMENSIONS:
            return f"cv.{name}"
        if name == "asset_band":
            return "band.label"
        return f"a_{name}.value"

    def joins(self, names) -> str:
        """The LEFT JOINs that bring the profile and attribute dimensions among `names` to the row (one each)."""
        out = []
        if any(n in PROFILE_DIMENSIONS for n in names):
            out.append(f"LEFT JOIN dw.customers_current cv ON cv.customer_no = {self.customer}")
        for name in (*CUSTOMER_ATTRIBUTES, *STAFF_ATTRIBUTES):
            if name in names:
                key = self.customer if name in CUSTOMER_ATTRIBUTES else f"COALESCE({self.staff}, '{UNATTRIBUTED}')"
                out.append(f"LEFT JOIN attr_{name} a_{name} ON a_{name}.key = {key}")
        month = f"strftime({self.date}, '%Y-%m')"
        if "asset_band" in names:
            out.append(f"LEFT JOIN dm.customer_month cm ON cm.key = {self.customer} AND cm.period = {month} "
                       "JOIN asset_bands band ON COALESCE(cm.end_assets, 0) >= band.lower "
                       "AND COALESCE(cm.end_assets, 0) < band.upper")
        if "behaviour_group" in names:
            out.append(f"LEFT JOIN attr_behaviour_group a_behaviour_group ON a_behaviour_group.key = {self.customer} "
                       f"AND a_behaviour_group.month = {month}")
        return " ".join(out)

    def filter_column(self, name: str) -> str:
        """A dimension as a filter sees it: time dimensions from the row's own date, whatever the grouping."""
        formats = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
        if name in formats:
            return f"strftime({self.date}, '{formats[name]}')"
        if name == "quarter":
            return f"(strftime({self.date}, '%Y') || '-Q' || CAST(quarter({self.date}) AS VARCHAR))"
        return self.dimension(name)


def semantic_sql(query: SemanticQuery, periods: Sequence[Period], *, effective_assets: Decimal) -> tuple[str, dict]:
    """The one SELECT answering the query over the snapshot, and the Arrow tables it reads (name → table: the scope's
    customers, the attribute values) to register on the cursor that runs it."""
    semantic_check(query)
    keys = [f"k{i}" for i in range(len(query.by))]
    formula = _filter(query.where) if query.where.strip() else None

    names = {*query.by, *(formula.names if formula is not None else ())}

    def group(row: _Row) -> tuple[str, str]:
        """(SELECT list of period and keys, the dimensions' joins then WHERE and its conditions) for rows reached as
        `row`; the templates below end their FROM with the second part."""
        select = ", ".join([f"{row.period} AS period", *(f"{row.dimension(d)} AS {k}" for d, k in zip(query.by, keys))])
        conditions = []
        if query.customers is not None:
            conditions.append(f"{row.customer} IN (SELECT customer_no FROM scope)")
        if formula is not None:
            conditions.append("(" + formula.to_sql(row.filter_column) + ")")
        return select, f"{row.joins(names)} WHERE " + (" AND ".join(conditions) or "TRUE")

    group_by = ", ".join(["period", *keys])
    period_rows = [(p.label, p.start, p.end, len(p.trading_days), p.last_day) for p in periods]
    day_rows = []
    for p in periods:
        trading, day = set(p.trading_days), p.start
        while day <= p.end:
            day_rows.append((day, p.label, day in trading))
            day += dt.timedelta(days=1)
    sample = dt.date(2000, 1, 3)
    ctes = {
        "periods": values_table(("period", "p_start", "p_end", "n_days", "last_day"), period_rows, ("", sample, sample, 1, sample)),
        "days": values_table(("d", "period", "trading"), day_rows, (sample, "", False)),
    }
    # The scope and the attribute values arrive as Arrow tables registered on the cursor (binding a million-element
    # list as a parameter costs seconds; an Arrow table a fraction of one).
    relations: dict[str, pa.Table] = {}
    if query.customers is not None:
        relations["semantic_scope"] = pa.table({"customer_no": pa.array(list(query.customers), pa.string())})
        ctes["scope"] = "SELECT customer_no FROM semantic_scope"
    for name in (*CUSTOMER_ATTRIBUTES, *STAFF_ATTRIBUTES):
        if name in names:
            values = query.attributes.get(name, {})
            relations[f"semantic_attr_{name}"] = pa.table({"key": pa.array(list(values), pa.string()),
                                                           "value": pa.array(list(values.values()), pa.string())})
            ctes[f"attr_{name}"] = f"SELECT key, value FROM semantic_attr_{name}"
    if "asset_band" in names:
        if not query.asset_bands or query.asset_bands[0][0] != 0:
            raise SemanticError("asset bands must be given, the first from 0", field="by", value="asset_band")
        bounds = [Decimal(lower) for lower, _ in query.asset_bands]
        band_rows = [(label, lower, upper) for (_, label), lower, upper in
                     zip(query.asset_bands, bounds, [*bounds[1:], Decimal("1000000000000000.00")])]
        ctes["asset_bands"] = values_table(("label", "lower", "upper"), band_rows, ("", Decimal("0.00"), Decimal("0.00")))
    if "behaviour_group" in names:
        pairs = [(no, month, group) for (no, month), groups in query.behaviour_groups.items() for group in groups]
        relations["semantic_attr_behaviour_group"] = pa.table({
            "key": pa.array([p[0] for p in pairs], pa.string()), "month": pa.array([p[1] for p in pairs], pa.string()),
            "value": pa.array([p[2] for p in pairs], pa.string())})
        ctes["attr_behaviour_group"] = "SELECT key, month, value FROM semantic_attr_behaviour_group"

    # Grouped by a few keys (no customer), each fact table is summed per day and group first and the days are then
    # summed into their periods: the big pass groups by a date instead of meeting the calendar row by row (half the
    # time of one pass). Grouped by customer, a first pass per day would not shrink anything: one pass over the facts.
    per_day = "customer_no" not in names
    first_day, last_day = literal(min(r[0] for r in day_rows)), literal(max(r[0] for r in day_rows))

    def summed(table: str, date_column: str, day_sums: Sequence[tuple[str, str, str]], period_sums: str, *,
               condition: str = "", with_periods: bool = False) -> str:
        """The SELECT of one fact table's sums per group. day_sums: (alias, expression over the fact f, aggregate:
        sum, count or distinct) of the first pass; period_sums: the aggregates over those (g.<alias>; g.day the day, dy
        its calendar row, p its period), which one pass applies straight to the facts."""
        select, where = group(_Row("f.customer_no", f"f.{date_column}", "f.staff_no", "f.branch_code",
                                   f"f.{date_column}"))
        select = select.replace(f"f.{date_column} AS period", f"f.{date_column} AS day", 1)
        where += f" AND f.{date_column} BETWEEN {first_day} AND {last_day}{condition}"
        if per_day:
            aggregate = {"sum": "SUM({})", "count": "COUNT(*)", "distinct": "COUNT(DISTINCT {})"}
            columns = ", ".join(f"{aggregate[kind].format(expr)} AS {alias}" for alias, expr, kind in day_sums)
            first = f"SELECT {select}, {columns} FROM dw.{table} f {where} GROUP BY ALL"
        else:
            columns = ", ".join(f"{'1' if kind == 'count' else expr} AS {alias}" for alias, expr, kind in day_sums)
            first = f"SELECT {select}, {columns} FROM dw.{table} f {where}"
        keys_select = ", ".join(f"dy.period AS {k}" if d in TIME_DIMENSIONS else f"g.{k} AS {k}"
                                for d, k in zip(query.by, keys))
        periods_join = " JOIN periods p ON p.period = dy.period" if with_periods else ""
        return (f"SELECT dy.period AS period{', ' if keys_select else ''}{keys_select}, {period_sums} "
                f"FROM ({first}) g JOIN days dy ON dy.d = g.day{periods_join} GROUP BY ALL")

    needed = {_FAMILIES[m] for m in query.measures}
    sources: list[str] = []
    joins: dict[str, str] = {}
    if "assets" in needed:
        ctes["assets"] = summed("fact_assets", "biz_date", [("total", "f.total_assets", "sum")],
                                """SUM(CASE WHEN dy.trading THEN g.total ELSE 0 END) AS assets_sum,
            SUM(CASE WHEN g.day = p.last_day THEN g.total ELSE 0 END) AS end_assets""", with_periods=True)
        sources.append("assets")
        joins["a"] = "assets"
    if "trades" in needed:
        day_sums = [("amount", "f.amount", "sum"), ("trades", "", "count"), ("commission", "f.commission", "sum"),
                    ("net", "f.commission - f.handling_fee - f.regulatory_fee", "sum")]
        period_sums = """SUM(g.amount) AS trade_amount, SUM(g.trades) AS trade_count, SUM(g.commission) AS commission,
            SUM(g.net) AS net_commission"""
        if "active_days" in query.measures:
            # an active day is a (customer, day) pair with a trade: the customers of each day, or the pairs in one pass
            day_sums.append(("active", "f.customer_no", "distinct"))
            period_sums += (", SUM(g.active) AS active_days" if per_day else
                            ", COUNT(DISTINCT (g.active, g.day)) AS active_days")
        ctes["trades"] = summed("fact_trades", "trade_date", day_sums, period_sums)
        sources.append("trades")
        joins["t"] = "trades"
    if "inflow" in needed:
        ctes["flows"] = summed("fact_cash_flows", "biz_date", [("amount", "f.amount", "sum")],
                               "SUM(g.amount) AS net_inflow", condition=" AND f.flow_type IN ('bank_in', 'bank_out')")
        ctes["transfers"] = summed("fact_security_transfers", "biz_date", [(
            "amount", "CASE WHEN f.direction = 'in' THEN f.value WHEN f.direction = 'out' THEN -f.value ELSE 0 END",
            "sum")], "SUM(g.amount) AS net_inflow")
        ctes["inflow"] = (f"SELECT {group_by}, SUM(net_inflow) AS net_inflow FROM "
                          f"(SELECT * FROM flows UNION ALL SELECT * FROM transfers) AS i GROUP BY {group_by}")
        sources += ["flows", "transfers"]
        joins["i"] = "inflow"
    if "counts" in needed:
        ctes |= _count_ctes(group, group_by, effective_assets, by_branch="branch_code" in names,
                            by_customer=query.customers is not None or not names <= {"staff_no", *TIME_DIMENSIONS})
        sources += ["counted", "new_counts"]
        joins |= {"c": "counted", "n": "new_counts"}
    ctes["keys"] = " UNION ".join(f"SELECT {group_by} FROM {source}" for source in sources)
    on = " AND ".join(["{a}.period = k.period", *(f"{{a}}.{k} IS NOT DISTINCT FROM k.{k}" for k in keys)])
    join_sql = " ".join(f"LEFT JOIN {table} {alias} ON {on.format(a=alias)}" for alias, table in joins.items())
    columns = [f"k.{k} AS {d}" for k, d in zip(keys, query.by)] + [f"{_measure_sql(m)} AS {m}" for m in query.measures]
    band_order = "list_position([" + ", ".join(literal(label) for _, label in query.asset_bands) + "], k.{k}), "
    order = ", ".join(f"CASE WHEN k.{k} = '{UNATTRIBUTED}' THEN 1 ELSE 0 END, "
                      f"{band_order.format(k=k) if d == 'asset_band' else ''}k.{k} NULLS LAST"
                      for k, d in zip(keys, query.by)) or "1"
    with_clause = ",\n".join(f"{name} AS ({sql})" for name, sql in ctes.items())
    sql = (f"WITH {with_clause}\nSELECT {', '.join(columns)} FROM keys k JOIN periods p ON p.period = k.period "
           f"{join_sql} ORDER BY {order}")
    return sql, relations


def _count_ctes(group, group_by: str, effective_assets: Decimal, *, by_branch: bool, by_customer: bool) -> dict[str, str]:
    """customer_count (open on the period's last trading day, attributed there) and new / effective new customers.
    The branch attribution is joined only when a dimension or the filter names the branch (it costs most). When
    nothing but the staff and the time is asked of a customer (by_customer False: no scope, no customer dimension or
    attribute), the staff relations are counted per (staff, validity) first, so each period meets those counts rather
    than every customer's relation."""
    at = "{d} >= {a}.valid_from AND {d} < COALESCE({a}.valid_to, " + FAR + ")"
    relations, counted = "dw.staff_attribution", "COUNT(*)"
    if not by_branch and not by_customer:
        relations = "(SELECT staff_no, valid_from, valid_to, COUNT(*) AS n FROM dw.staff_attribution GROUP BY ALL)"
        counted = "SUM(s.n)"
    open_row = _Row("s.customer_no", "p.last_day", "s.staff_no", "b.branch_code", "p.period")
    select, where = group(open_row)
    new_row = _Row("c.customer_no", "c.open_date", "s.staff_no", "b.branch_code", "dy.period")
    new_select, new_where = group(new_row)
    threshold = f"CAST({literal(Decimal(effective_assets))} AS {_MONEY_SQL})"
    open_branch = (f"LEFT JOIN dw.branch_attribution b ON b.customer_no = s.customer_no AND "
                   f"{at.format(d='p.last_day', a='b')}") if by_branch else ""
    new_branch = (f"LEFT JOIN dw.branch_attribution b ON b.customer_no = c.customer_no AND "
                  f"{at.format(d='c.open_date', a='b')}") if by_branch else ""
    return {
        "counted": f"""SELECT {select}, {counted} AS customer_count
            FROM periods p JOIN {relations} s ON {at.format(d='p.last_day', a='s')}
            {open_branch} {where} GROUP BY ALL""",
        "new_customers": f"""SELECT {new_select}, c.customer_no AS customer_no
            FROM dw.customers_current c JOIN days dy ON dy.d = c.open_date
            LEFT JOIN dw.staff_attribution s ON s.customer_no = c.customer_no AND {at.format(d='c.open_date', a='s')}
            {new_branch} {new_where}""",
        "new_peaks": """SELECT n.period, n.customer_no, MAX(f.total_assets) AS peak
            FROM (SELECT DISTINCT period, customer_no FROM new_customers) n
            JOIN dw.fact_assets f ON f.customer_no = n.customer_no
            JOIN days dy ON dy.d = f.biz_date AND dy.period = n.period AND dy.trading GROUP BY 1, 2""",
        "new_counts": f"""SELECT {", ".join("n." + c for c in group_by.split(", "))}, COUNT(*) AS new_customers,
            SUM(CASE WHEN m.peak >= {threshold} THEN 1 ELSE 0 END) AS effective_new_customers
            FROM new_customers n LEFT JOIN new_peaks m ON m.period = n.period AND m.customer_no = n.customer_no
            GROUP BY ALL""",
    }


def _measure_sql(name: str) -> str:
    """The measure from the joined partial sums, rounded once at the end exactly as the marts round (pipelines/dm.py)."""
    if name == "avg_daily_assets":
        cents = _half_up_div("CAST(COALESCE(a.assets_sum, 0) * 100 AS BIGINT)", "CAST(p.n_days AS BIGINT)")
        return f"CAST(CAST({cents} AS DECIMAL(38,0)) * CAST(0.01 AS DECIMAL(3,2)) AS {_MONEY_SQL})"
    if name == "commission_rate":
        amount = "CAST(COALESCE(t.trade_amount, 0) * 100 AS BIGINT)"
        micro = _half_up_div("CAST(COALESCE(t.commission, 0) * 100 AS BIGINT) * 1000000", f"ABS({amount})")
        return (f"CAST(CASE WHEN {amount} = 0 THEN NULL ELSE CAST(CASE WHEN {amount} < 0 THEN -{micro} ELSE {micro} END "
                "AS DECIMAL(38,0)) * CAST(0.000001 AS DECIMAL(7,6)) END AS DECIMAL(18,6))")
    alias = {"end_assets": "a", "net_inflow": "i", "customer_count": "c", "new_customers": "n",
             "effective_new_customers": "n"}.get(name, "t")
    kind = _MONEY_SQL if MEASURE_KINDS[name] == MONEY else "BIGINT"
    return f"CAST(COALESCE({alias}.{name}, 0) AS {kind})"


def semantic_query(query: SemanticQuery) -> SemanticResult:
    """Run the query over the published snapshot; DomainError when nothing is published, SemanticError when refused."""
    semantic_check(query)
    with _snapshot() as (name, cur):
        cur.execute("SET enable_progress_bar = false")  # the CLI's output is its file and one line, never a bar
        sessions = [r[0] for r in cur.execute("SELECT business_date FROM dw.calendar ORDER BY business_date").fetchall()]
        threshold = cur.execute("SELECT max(effective_assets) FROM dm.build_info").fetchone()[0]
        grain = next((d for d in query.by if d in TIME_DIMENSIONS), None)
        periods = semantic_periods(sessions, grain, query.date_from, query.date_to)
        columns = (*query.by, *query.measures)
        if not periods:
            return SemanticResult(name, columns, ())
        fast = _mart_sql(cur, query, periods)
        if fast is not None:
            rows = cur.execute(*fast).fetchall()
        else:
            sql, relations = semantic_sql(query, periods, effective_assets=Decimal(threshold or "10000.00"))
            for relation, table in relations.items():
                cur.register(relation, table)
            try:
                rows = cur.execute(sql).fetchall()
            finally:
                for relation in relations:
                    cur.unregister(relation)
    return SemanticResult(name, columns, tuple(tuple(r) for r in rows))


LEVEL_KEYS = {"customer_no": "customer", "staff_no": "staff", "branch_code": "branch"}


def _mart_sql(cur, query: SemanticQuery, periods: Sequence[Period]) -> tuple[str, list] | None:
    """The fast path: a key × month/day query without scope or attribute, whose filter (if any) names only that key
    and that grain, is a read of the mart that holds exactly those numbers, when the mart was built for the very same
    periods (same clipping). None otherwise.

    Rows: the mart's rows with a non-zero number among the families of the measures asked (the mart also lists keys
    without facts, e.g. staff employed without customers, which the layer leaves out)."""
    keys = [d for d in query.by if d in LEVEL_KEYS]
    grain = next((d for d in query.by if d in TIME_DIMENSIONS), None)
    if query.customers is not None or len(query.by) != 2 or len(keys) != 1 or grain is None:
        return None
    level = LEVEL_KEYS[keys[0]]
    if (level, grain) not in MATERIALISED:
        return None
    available = LEVEL_INDICATORS[level]
    if any(m not in available for m in query.measures):
        return None
    columns = {keys[0]: "key", grain: "period"}
    formula = _filter(query.where) if query.where.strip() else None
    if formula is not None and not set(formula.names) <= set(columns):
        return None
    built = {tuple(r) for r in cur.execute("SELECT period, period_start, period_end, trading_days FROM dm.periods "
                                           "WHERE grain = ?", [grain]).fetchall()}
    if any((p.label, p.start, p.end, len(p.trading_days)) not in built for p in periods):
        return None
    select = [f"{columns[d]} AS {d}" for d in query.by] + list(query.measures)
    present = [c for m in query.measures for c in _FAMILY_PRESENCE[_FAMILIES[m]]]
    nonzero = " OR ".join(f"COALESCE({c}, 0) <> 0" for c in dict.fromkeys(present))
    condition = f" AND ({formula.to_sql(columns.__getitem__)})" if formula is not None else ""
    order = ", ".join(f"CASE WHEN {columns[d]} = '{UNATTRIBUTED}' THEN 1 ELSE 0 END, {columns[d]}" for d in query.by)
    return (f"SELECT {', '.join(select)} FROM {mart_table(level, grain)} WHERE period IN (SELECT UNNEST(?)) "
            f"AND ({nonzero}){condition} ORDER BY {order}", [[p.label for p in periods]])


def semantic_snapshot() -> str | None:
    """The name of the snapshot queries read now (None before the first publish): a cache key that changes on publish."""
    try:
        return current_snapshot(Path(settings.WAREHOUSE_SNAPSHOT_DIR)).name
    except DomainError:
        return None


def snapshot_version() -> str | None:
    """The published snapshot as it is now (its place, manifest identity and time), None before the first publish: a
    cache key of what the snapshot alone decides, changed by every publish (even one that reuses a number after the
    data directory was rebuilt)."""
    name = semantic_snapshot()
    if name is None:
        return None
    path = Path(settings.WAREHOUSE_SNAPSHOT_DIR) / name
    try:
        stat = path.stat()
    except OSError:
        return None
    return hashlib.sha256(f"{path}:{stat.st_ino}:{stat.st_mtime_ns}".encode()).hexdigest()[:20]


def semantic_last_day() -> dt.date | None:
    """The last trading day the published snapshot holds (a dashboard's "today"); None before the first publish."""
    try:
        with _snapshot() as (_, cur):
            return cur.execute("SELECT max(business_date) FROM dw.calendar").fetchone()[0]
    except DomainError:
        return None
