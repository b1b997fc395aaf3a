"""Indicator exports (`<level>_indicators.csv`), exactly as metrics.md "Exports" specifies.

Whole periods come from the marts; a period the marts cannot serve (a month cut by --from/--to,
customer-level days, which are not materialised) is computed from the DW facts by the same
query that builds the marts, so both paths give the same numbers. DuckDB writes the CSV itself
(DECIMAL columns print with their exact scale, so `0.00`, never `-0.00`), first to a temporary
file next to --out, then renamed onto it.
"""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines.dm import (COUNTS, GRAINS, INDICATORS, LEVELS, MATERIALISED, UNATTRIBUTED,
                                               Period, indicator_select, loaded_sessions, mart_table, plan_periods)
from brokercrm.datacenter.pipelines.portable import DuckDBTarget, literal

DEFAULT_EFFECTIVE_ASSETS = Decimal("10000.00")


def export_columns(level: str) -> list[str]:
    return ["level", "key", "period", *INDICATORS, *(COUNTS if level != "customer" else ())]


def export_indicators(con, *, level: str, grain: str, date_from: dt.date, date_to: dt.date, out: Path) -> int:
    """Write `out` with the indicators of `level` by `grain` for [date_from, date_to]; returns data rows."""
    if level not in LEVELS:
        raise DomainError(f"level must be one of {', '.join(LEVELS)}", field="level")
    if grain not in GRAINS:
        raise DomainError(f"grain must be one of {', '.join(GRAINS)}", field="grain")
    if date_from > date_to:
        raise DomainError("--from must not be after --to", field="from")
    target = DuckDBTarget(con)
    periods = plan_periods(loaded_sessions(target), grain, date_from=date_from, date_to=date_to)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not periods:
        _write_atomically(out, (",".join(export_columns(level)) + "\n").encode())
        return 0
    from_mart, computed = _split(target, level, grain, periods)
    measures = [c for c in export_columns(level) if c not in ("level", "key", "period")]
    selects = []
    if from_mart:
        labels = ", ".join(literal(p.label) for p in from_mart)
        selects.append(f"SELECT key, period, {', '.join(measures)} FROM {mart_table(level, grain)} "
                       f"WHERE period IN ({labels})")
    if computed:
        selects.append(f"SELECT key, period, {', '.join(measures)} FROM ("
                       f"{indicator_select(level, computed, effective_assets=_effective_assets(target))}) AS c")
    query = (f"SELECT {literal(level)} AS level, key, period, {', '.join(measures)} "
             f"FROM ({' UNION ALL '.join(selects)}) AS u "
             f"ORDER BY period, CASE WHEN key = {literal(UNATTRIBUTED)} THEN 1 ELSE 0 END, key")
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        written = con.execute(f"COPY ({query}) TO {literal(str(partial))} "
                              "(FORMAT CSV, HEADER TRUE, DELIMITER ',', QUOTE '\"', COMPRESSION 'none')").fetchone()[0]
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return int(written)


def _write_atomically(out: Path, data: bytes) -> None:
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, out)


def _split(target: DuckDBTarget, level: str, grain: str, periods: list[Period]) -> tuple[list[Period], list[Period]]:
    """Periods the mart holds with the very same clipping (bounds and trading days) vs the rest."""
    if (level, grain) not in MATERIALISED or not target.table_exists("dm", "periods"):
        return [], periods
    built = {(row[0], row[1], row[2], row[3]) for row in target.fetchall(
        f"SELECT period, period_start, period_end, trading_days FROM dm.periods WHERE grain = {literal(grain)}")}
    whole = [p for p in periods if (p.label, p.start, p.end, len(p.trading_days)) in built]
    return whole, [p for p in periods if p not in whole]


def _effective_assets(target: DuckDBTarget) -> Decimal:
    """The threshold the marts were built with, so computed periods agree with mart periods."""
    if target.table_exists("dm", "build_info"):
        value = target.scalar("SELECT max(effective_assets) FROM dm.build_info")
        if value is not None:
            return Decimal(value)
    return DEFAULT_EFFECTIVE_ASSETS
