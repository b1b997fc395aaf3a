"""Delivery validator: every rule of source-interface.md, on a delivery root or one day folder.

Given a root, the day folders are checked oldest first, each day becoming the context of the
next (references, new accounts, cash and position continuity). Given one day folder, the earlier
day folders beside it (same parent) are its context: their branches, customers and securities
count as delivered, and the folder just before it is the previous day for continuity; only the
given day's problems are reported. With no earlier folder the day is the opening snapshot.
Files are read through a collection configuration (default: interface v1).
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from brokercrm.core.errors import Problem
from brokercrm.datacenter.checks.context import absorb_day, build_known, empty_context
from brokercrm.datacenter.checks.day import (
    CAP, DayFolder, check_day, day_folders, listed_problems, parse_folder_date, scan_day, stage_day,
)
from brokercrm.datacenter.checks.sql import reset_problems
from brokercrm.datacenter.sources.config import SourceConfig, default_source_config

CONTEXT_SINK = "vd_context_problems"


@dataclass(frozen=True)
class ValidationReport:
    problems: tuple[Problem, ...]
    days: int
    rows: int  # data rows read, every file of every checked day


def validate_delivery(path: Path, *, config: SourceConfig | None = None) -> list[Problem]:
    """Every problem of a delivery root or one day folder, as `FILE:LINE:COLUMN: message` Problems."""
    return list(validate_delivery_report(path, config=config).problems)


def validate_delivery_report(path: Path, *, config: SourceConfig | None = None, cap: int = CAP) -> ValidationReport:
    config = config or default_source_config()
    path = Path(path)
    if not path.is_dir():
        return ValidationReport((Problem("no such directory", file=str(path)),), 0, 0)
    single = parse_folder_date(path.name, config)
    root = path.parent if single is not None else path
    folders = day_folders(root, config)
    if single is not None:
        targets = [f for f in folders if f.business_date == single]
        earlier = [f for f in folders if f.business_date < single]
    else:
        targets, earlier = folders, []
    if not targets:
        example = config.folder_format.replace("%Y", "2026").replace("%m", "03").replace("%d", "02")
        return ValidationReport((Problem(f"no day folders (named like {example}) in this directory", file=str(path)),), 0, 0)
    problems: list[Problem] = []
    rows = 0
    with tempfile.TemporaryDirectory(prefix="brokercrm-validate-") as scratch, _connection() as con:
        prev_tables = load_folder_context(con, earlier, config, Path(scratch))
        previous = earlier[-1].business_date if earlier else None
        first_day = not earlier
        for folder in targets:
            result = check_day(
                con, folder, config, first_day=first_day, previous_day=previous,
                prev_tables=prev_tables, scratch=Path(scratch),
            )
            problems += listed_problems(con, cap)
            rows += result.rows
            absorb_day(con)
            prev_tables = frozenset({"assets", "positions"} & result.usable)
            previous, first_day = folder.business_date, False
    return ValidationReport(tuple(problems), len(targets), rows)


def load_folder_context(
    con: duckdb.DuckDBPyConnection, earlier: list[DayFolder], config: SourceConfig, scratch: Path
) -> frozenset[str]:
    """Fill the context from earlier day folders (their own problems are not reported here)."""
    empty_context(con)
    prev_tables: frozenset[str] = frozenset()
    reset_problems(con, CONTEXT_SINK)
    for index, folder in enumerate(earlier):
        last = index == len(earlier) - 1
        wanted = ("branches", "customers", "securities") + (("assets", "positions") if last else ())
        infos = scan_day(folder, config, scratch, wanted)
        usable = stage_day(con, folder, config, infos, sink=CONTEXT_SINK)
        build_known(con)
        absorb_day(con, previous=last)
        if last:
            prev_tables = frozenset({"assets", "positions"} & usable)
    return prev_tables


class _connection:
    """A private in-memory DuckDB for one validation run."""

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET enable_progress_bar = false")
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()
