"""Segments of every customer month, computed set-wise over the published marts (dm.customer_month).

Tiers: one numpy step per month over all customers. Behaviour groups: each rule compiled to SQL
(`Formula.to_sql`) and evaluated by DuckDB over a table of indicators, windows and profile fields.
RFM and clusters: numpy and scikit-learn per month. Nothing loops over customers in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from brokercrm.analytics.engine import clusters, rfm
from brokercrm.analytics.engine.tiers import TierRule, ordered, tier_matrix
from brokercrm.platform.formula import Formula

MONTH_MONEY = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "commission", "net_commission")
MONTH_COUNTS = ("trade_count", "active_days")
YEAR_MONTHS = 12
LAST_MONTHS = 3

# Inputs a behaviour-group rule may use: name → type. Dotted names are windows ending with the month.
RULE_NAMES: dict[str, str] = {
    **{name: "number" for name in (*MONTH_MONEY, *MONTH_COUNTS, "commission_rate")},
    **{f"year.{name}": "number" for name in ("avg_daily_assets", "max_end_assets", "min_end_assets", "net_inflow",
                                             "trade_amount", "trade_count", "active_days", "commission", "net_commission")},
    **{f"last3.{name}": "number" for name in ("avg_daily_assets", "net_inflow", "trade_amount", "active_days", "net_commission")},
    "turnover": "number", "months_without_trade": "number", "months_open": "number", "history_months": "number", "age": "number",
    **{name: "text" for name in ("status", "risk_level", "customer_type", "gender", "branch_code", "tier", "qualified_tier")},
}


def rule_column(name: str) -> str:
    return name.replace(".", "__")


@dataclass(frozen=True)
class GroupRule:
    code: str
    formula: Formula


@dataclass(frozen=True)
class Pin:
    customer_no: str
    tier: str
    from_period: str
    until_period: str | None


@dataclass(frozen=True)
class SegmentConfig:
    tiers: tuple[TierRule, ...]
    groups: tuple[GroupRule, ...]
    downgrade_months: int = 3
    rfm_window_months: int = 12
    cluster_count: int = 5
    cluster_seed: int = 42
    pins: tuple[Pin, ...] = ()


@dataclass(frozen=True)
class ClusterSummary:
    cluster: int
    size: int
    avg_daily_assets_cents: int
    net_commission_cents: int
    centroid: dict
    traits: list


@dataclass
class PeriodSegments:
    """Column arrays for one month, one entry per customer with a row in dm.customer_month."""

    period: str
    customer_no: np.ndarray
    tier: np.ndarray
    qualified_tier: np.ndarray
    previous_tier: np.ndarray
    pinned: np.ndarray
    groups: np.ndarray
    rfm_r: np.ndarray
    rfm_f: np.ndarray
    rfm_m: np.ndarray
    cluster: np.ndarray
    avg_daily_assets_cents: np.ndarray
    end_assets_cents: np.ndarray
    net_commission_cents: np.ndarray
    clusters: list[ClusterSummary] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.customer_no)


@dataclass
class Timings:
    tiers: float = 0.0
    groups: float = 0.0
    rfm: float = 0.0
    clustering: float = 0.0


def month_periods(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT period FROM dm.periods WHERE grain = 'month' ORDER BY period").fetchall()]


def _cents(expr: str) -> str:
    return f"CAST({expr} * 100 AS BIGINT)"


def _mean_money(sum_cents: str, count: str) -> str:
    """Exact half-up mean of cents as DECIMAL(38,2) (DuckDB's AVG of decimals is a binary double)."""
    q = f"((2 * ABS({sum_cents}) + {count}) // (2 * {count}))"
    return f"CAST(CAST(CASE WHEN {sum_cents} < 0 THEN -{q} ELSE {q} END AS DECIMAL(38,0)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(38,2))"


def _indicator_sql(config: SegmentConfig, start_mi: int) -> str:
    """One row per customer month from start_mi on: indicators, windows, profile, tier; then rules, RFM and features.

    Windows are conditional sums of one GROUP BY over (customer, target month) rather than window
    functions: a hash aggregate is what DuckDB does fastest, and the usual run has one target month.
    """
    W = config.rfm_window_months
    money = "DECIMAL(38,2)"

    def within(n: int, expr: str) -> str:
        return f"CASE WHEN m.mi > t.tmi - {n} THEN {expr} END"

    assets_cents = _cents("c.avg_daily_assets")
    windows = [
        f"SUM({within(YEAR_MONTHS, assets_cents)}) AS y_assets_cents", f"COUNT({within(YEAR_MONTHS, '1')}) AS y_months",
        f"MAX({within(YEAR_MONTHS, 'c.end_assets')}) AS year__max_end_assets",
        f"MIN({within(YEAR_MONTHS, 'c.end_assets')}) AS year__min_end_assets",
        *(f"CAST(COALESCE(SUM({within(YEAR_MONTHS, 'c.' + n)}), 0) AS {money}) AS year__{n}"
          for n in ("net_inflow", "trade_amount", "commission", "net_commission")),
        *(f"COALESCE(SUM({within(YEAR_MONTHS, 'c.' + n)}), 0) AS year__{n}" for n in ("trade_count", "active_days")),
        f"SUM({within(LAST_MONTHS, assets_cents)}) AS q_assets_cents", f"COUNT({within(LAST_MONTHS, '1')}) AS q_months",
        *(f"CAST(COALESCE(SUM({within(LAST_MONTHS, 'c.' + n)}), 0) AS {money}) AS last3__{n}"
          for n in ("net_inflow", "trade_amount", "net_commission")),
        f"COALESCE(SUM({within(LAST_MONTHS, 'c.active_days')}), 0) AS last3__active_days",
        "MAX(CASE WHEN c.active_days > 0 THEN m.mi END) AS last_active_mi", "MIN(m.mi) AS first_mi", "COUNT(*) AS history_months",
        # the RFM window
        f"COALESCE(SUM({within(W, 'c.active_days')}), 0) AS w_active_days",
        f"COALESCE(SUM({within(W, _cents('c.net_commission'))}), 0) AS w_net_commission_cents",
        f"MAX({within(W, 'CASE WHEN c.active_days > 0 THEN m.mi END')}) AS w_last_active_mi",
        f"CAST(SUM({within(W, 'c.avg_daily_assets')}) AS DOUBLE) / COUNT({within(W, '1')}) AS w_assets",
        f"CAST(COALESCE(SUM({within(W, 'c.trade_amount')}), 0) AS DOUBLE) AS w_trade_amount",
        f"CAST(COALESCE(SUM({within(W, 'c.net_inflow')}), 0) AS DOUBLE) AS w_net_inflow",
    ]
    month_cols = [f"c.{n}" for n in (*MONTH_MONEY, *MONTH_COUNTS, "commission_rate")]
    rules = [f"{g.formula.to_sql(lambda name: 'x.' + rule_column(name))} AS rule_{i}" for i, g in enumerate(config.groups)]
    group_parts = " || ".join(f"CASE WHEN rule_{i} THEN '{g.code};' ELSE '' END" for i, g in enumerate(config.groups)) or "''"
    return f"""
    WITH months AS (SELECT period, period_end, CAST(ROW_NUMBER() OVER (ORDER BY period) - 1 AS INTEGER) AS mi
                    FROM dm.periods WHERE grain = 'month'),
    targets AS (SELECT mi AS tmi FROM months WHERE mi >= {start_mi}),
    agg AS (
        SELECT c.key AS customer_no, t.tmi, {', '.join(windows)}
        FROM dm.customer_month c JOIN months m ON m.period = c.period JOIN targets t ON m.mi <= t.tmi
        GROUP BY c.key, t.tmi),
    x AS (
        SELECT c.key AS customer_no, c.period, m.mi, m.period_end, {', '.join(month_cols)}, a.* EXCLUDE (customer_no, tmi),
               {_mean_money('a.y_assets_cents', 'a.y_months')} AS year__avg_daily_assets,
               {_mean_money('a.q_assets_cents', 'a.q_months')} AS last3__avg_daily_assets,
               CASE WHEN c.avg_daily_assets = 0 THEN NULL
                    ELSE CAST(c.trade_amount AS DECIMAL(38,10)) / c.avg_daily_assets END AS turnover,
               m.mi - COALESCE(a.last_active_mi, a.first_mi - 1) AS months_without_trade,
               m.mi - a.w_last_active_mi AS w_months_since_trade,
               s.ci, t.tier, t.qualified_tier, t.previous_tier, t.pinned,
               p.status, p.risk_level, p.customer_type, p.gender, p.branch_code,
               (year(m.period_end) * 12 + month(m.period_end)) - (year(p.open_date) * 12 + month(p.open_date)) AS months_open,
               CASE WHEN p.birth_date IS NULL THEN NULL ELSE year(m.period_end) - year(p.birth_date)
                    - CASE WHEN month(m.period_end) * 100 + day(m.period_end) < month(p.birth_date) * 100 + day(p.birth_date)
                           THEN 1 ELSE 0 END END AS age
        FROM dm.customer_month c JOIN months m ON m.period = c.period
        JOIN agg a ON a.customer_no = c.key AND a.tmi = m.mi
        JOIN seg_customers s ON s.customer_no = c.key
        JOIN seg_tiers t ON t.ci = s.ci AND t.mi = m.mi
        LEFT JOIN dw.customers_current p ON p.customer_no = c.key
        WHERE m.mi >= {start_mi}),
    ruled AS (SELECT x.*, {', '.join(rules) if rules else 'TRUE AS no_rules'} FROM x)
    SELECT customer_no, period, mi, tier, qualified_tier, previous_tier, pinned,
           {_cents('avg_daily_assets')} AS avg_daily_assets_cents, {_cents('end_assets')} AS end_assets_cents,
           {_cents('net_commission')} AS net_commission_cents,
           CASE WHEN ({group_parts}) = '' THEN '' ELSE ';' || ({group_parts}) END AS groups,
           w_active_days > 0 AS traded, w_active_days, w_net_commission_cents,
           COALESCE(w_months_since_trade, {W}) AS w_months_since_trade,
           LN(1 + GREATEST(COALESCE(w_assets, 0), 0)) AS f_assets,
           CAST(w_active_days AS DOUBLE) AS f_activity,
           LN(1 + GREATEST(w_trade_amount, 0) / GREATEST(COALESCE(w_assets, 0), 1)) AS f_turnover,
           LN(1 + GREATEST(CAST(w_net_commission_cents AS DOUBLE) / 100, 0)) AS f_contribution,
           CAST(COALESCE(w_months_since_trade, {W}) AS DOUBLE) AS f_recency,
           SIGN(w_net_inflow) * LN(1 + ABS(w_net_inflow)) AS f_inflow
    FROM ruled ORDER BY mi, customer_no"""


def compute_segments(con, config: SegmentConfig, *, start_period: str | None = None,
                     timings: Timings | None = None) -> list[PeriodSegments]:
    """Segments of every customer for each month from start_period (all months when None) to the last one."""
    import time

    timings = timings or Timings()
    periods = month_periods(con)
    if not periods:
        return []
    if not config.tiers:
        raise ValueError("no value tiers are configured")
    start_mi = 0 if start_period is None else next((i for i, p in enumerate(periods) if p >= start_period), len(periods))
    if start_mi >= len(periods):
        return []
    started = time.perf_counter()
    con.execute("""CREATE OR REPLACE TEMP TABLE seg_customers AS
                   SELECT customer_no, CAST(ROW_NUMBER() OVER (ORDER BY customer_no) - 1 AS INTEGER) AS ci
                   FROM (SELECT DISTINCT key AS customer_no FROM dm.customer_month) AS d""")
    n = con.execute("SELECT count(*) FROM seg_customers").fetchone()[0]
    cells = con.execute(f"""
        SELECT s.ci, m.mi, {_cents('c.avg_daily_assets')} AS cents
        FROM dm.customer_month c JOIN seg_customers s ON s.customer_no = c.key
        JOIN (SELECT period, CAST(ROW_NUMBER() OVER (ORDER BY period) - 1 AS INTEGER) AS mi FROM dm.periods
              WHERE grain = 'month') AS m ON m.period = c.period""").fetchnumpy()
    shape = (n, len(periods))
    cents = np.zeros(shape, dtype=np.int64)
    present = np.zeros(shape, dtype=bool)
    cents[cells["ci"], cells["mi"]] = cells["cents"]
    present[cells["ci"], cells["mi"]] = True
    rules = ordered(config.tiers)
    rank = {t.code: i for i, t in enumerate(rules)}
    pins = _pin_matrix(con, config.pins, periods, shape, rank)
    tiers, qualified = tier_matrix(cents, present, rules, downgrade_months=config.downgrade_months, pins=pins)
    codes = np.array([t.code for t in rules] + [""], dtype=object)  # index -1 → ""
    ci, mi = np.nonzero(present[:, start_mi:])
    mi = mi + start_mi
    previous = np.where(mi > 0, tiers[ci, np.maximum(mi - 1, 0)], -1)
    frame = pd.DataFrame({"ci": ci.astype(np.int32), "mi": mi.astype(np.int32), "tier": codes[tiers[ci, mi]],
                          "qualified_tier": codes[qualified[ci, mi]], "previous_tier": codes[previous],
                          "pinned": (pins[ci, mi] >= 0) if pins is not None else np.zeros(len(ci), dtype=bool)})
    con.register("seg_tiers_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE seg_tiers AS SELECT * FROM seg_tiers_frame")
    con.unregister("seg_tiers_frame")
    timings.tiers += time.perf_counter() - started

    started = time.perf_counter()
    rows = con.execute(_indicator_sql(config, start_mi)).fetchnumpy()
    rows = {k: np.asarray(v) for k, v in rows.items()}
    timings.groups += time.perf_counter() - started

    result = []
    bounds = np.searchsorted(rows["mi"], np.arange(start_mi, len(periods) + 1), side="left")
    for offset, period in enumerate(periods[start_mi:]):
        part = slice(bounds[offset], bounds[offset + 1])
        result.append(_period_segments(period, {k: v[part] for k, v in rows.items()}, config, timings))
    return result


def _pin_matrix(con, pins, periods, shape, rank) -> np.ndarray | None:
    if not pins:
        return None
    matrix = np.full(shape, -1, dtype=np.int8)
    numbers = dict(con.execute("SELECT customer_no, ci FROM seg_customers WHERE customer_no IN (SELECT UNNEST(?))",
                               [sorted({p.customer_no for p in pins})]).fetchall())
    for pin in pins:
        if pin.customer_no not in numbers or pin.tier not in rank:
            continue
        covered = [i for i, p in enumerate(periods) if p >= pin.from_period and (not pin.until_period or p <= pin.until_period)]
        if covered:
            matrix[numbers[pin.customer_no], covered[0]:covered[-1] + 1] = rank[pin.tier]
    return matrix


def _period_segments(period: str, rows: dict, config: SegmentConfig, timings: Timings) -> PeriodSegments:
    import time

    started = time.perf_counter()
    r, f, m = rfm.rfm_scores(rows["w_months_since_trade"], rows["w_active_days"], rows["w_net_commission_cents"], rows["traded"])
    timings.rfm += time.perf_counter() - started
    started = time.perf_counter()
    features = np.column_stack([rows[f"f_{name}"] for name in clusters.FEATURES]) if len(rows["mi"]) else np.zeros((0, 6))
    clustering = clusters.cluster(features, k=config.cluster_count, seed=config.cluster_seed)
    summaries = []
    for number in range(1, len(clustering.traits) + 1):
        members = clustering.labels == number
        summaries.append(ClusterSummary(
            cluster=number, size=int(members.sum()),
            avg_daily_assets_cents=int(rows["avg_daily_assets_cents"][members].sum()),
            net_commission_cents=int(rows["net_commission_cents"][members].sum()),
            centroid={name: str(Decimal(repr(round(value, 3)))) for name, value in zip(clusters.FEATURES, clustering.centroids[number - 1].tolist())},
            traits=[list(t) for t in clustering.traits[number - 1]]))
    timings.clustering += time.perf_counter() - started
    return PeriodSegments(
        period=period, customer_no=rows["customer_no"], tier=rows["tier"], qualified_tier=rows["qualified_tier"],
        previous_tier=rows["previous_tier"], pinned=rows["pinned"], groups=rows["groups"], rfm_r=r, rfm_f=f, rfm_m=m,
        cluster=clustering.labels, avg_daily_assets_cents=rows["avg_daily_assets_cents"],
        end_assets_cents=rows["end_assets_cents"], net_commission_cents=rows["net_commission_cents"], clusters=summaries)
