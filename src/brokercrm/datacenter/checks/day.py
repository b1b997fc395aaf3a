"""Check one day folder against every rule, in one DuckDB connection whose context is ready.

Problems land in the temp table vd_problems(tbl, file, line, col, message, rule); the staged,
typed rows stay in vd_<table> (and vd_raw_<table>) for the ingest to load.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from brokercrm.core.errors import Problem
from brokercrm.datacenter import calendar as trading_calendar
from brokercrm.datacenter.calendar import CalendarYearUnknown
from brokercrm.datacenter.checks import calendar
from brokercrm.datacenter.checks.context import build_known
from brokercrm.datacenter.checks.files import FileInfo, check_manifest, scan_file
from brokercrm.datacenter.checks.invariants import INVARIANT_RULES
from brokercrm.datacenter.checks.rules import TABLE_RULES, Day, Finding, keys_unique
from brokercrm.datacenter.checks.sql import PROBLEMS, record_many, reset_problems
from brokercrm.datacenter.checks.staging import create_empty, stage_table
from brokercrm.datacenter.sources.config import SourceConfig

# Problems that refuse the whole day under every policy: the day cannot be read as delivered.
FATAL_RULES = ("manifest", "folder", "file_missing", "encoding", "header", "bom")
CAP = 50


@dataclass(frozen=True)
class DayFolder:
    business_date: date
    path: Path
    rel: str  # the folder relative to the delivery root, e.g. 2026-03-02


@dataclass(frozen=True)
class DayCheck:
    folder: DayFolder
    files: dict[str, FileInfo]
    usable: frozenset[str]
    problem_count: int
    fatal: bool

    @property
    def rows(self) -> int:
        return sum(info.rows for info in self.files.values())


def parse_folder_date(name: str, config: SourceConfig) -> date | None:
    try:
        parsed = datetime.strptime(name, config.folder_format).date()
    except ValueError:
        return None
    return parsed if parsed.strftime(config.folder_format) == name else None


def day_folders(root: Path, config: SourceConfig) -> list[DayFolder]:
    """The day folders of a delivery root, oldest first (other entries are ignored)."""
    folders = []
    for entry in root.iterdir() if root.is_dir() else ():
        day = parse_folder_date(entry.name, config) if entry.is_dir() else None
        if day is not None:
            folders.append(DayFolder(business_date=day, path=entry, rel=entry.name))
    return sorted(folders, key=lambda f: f.business_date)


def scan_day(folder: DayFolder, config: SourceConfig, scratch: Path, tables: tuple[str, ...] | None = None) -> dict[str, FileInfo]:
    infos = {}
    for spec in config.tables:
        if tables is not None and spec.name not in tables:
            continue
        name = spec.file_name(folder.business_date)
        infos[spec.name] = scan_file(spec.name, name, f"{folder.rel}/{name}", folder.path / name, config.encoding, scratch)
    return infos


def stage_day(
    con: duckdb.DuckDBPyConnection, folder: DayFolder, config: SourceConfig, infos: dict[str, FileInfo], *, sink: str
) -> frozenset[str]:
    """Stage every table (empty when its file is not scanned or unreadable); the usable ones."""
    usable = set()
    found: list[tuple[str, str, str, str]] = []
    for spec in config.tables:
        info = infos.get(spec.name)
        if info is None:
            create_empty(con, spec)
        elif stage_table(con, spec, info, config, sink=sink, found=found):
            usable.add(spec.name)
    record_many(con, found, sink=sink)
    return frozenset(usable)


def check_day(
    con: duckdb.DuckDBPyConnection,
    folder: DayFolder,
    config: SourceConfig,
    *,
    first_day: bool,
    previous_day: date | None,
    prev_tables: frozenset[str],
    scratch: Path,
) -> DayCheck:
    """Run every rule on one day; the context tables (vd_ctx_*) must already hold earlier days."""
    calendar.register_sessions(con)
    reset_problems(con)
    for problem in folder_problems(folder, config, previous_day):
        _insert(con, problem, "folder")
    infos = scan_day(folder, config, scratch)
    for problem in check_manifest(folder.path, folder.rel, folder.business_date, config, infos):
        _insert(con, problem, "manifest")
    usable = stage_day(con, folder, config, infos, sink=PROBLEMS)
    return check_staged(con, folder, config, infos, usable, first_day=first_day, previous_day=previous_day,
                        prev_tables=prev_tables, folder_checks=False)


def check_staged(
    con: duckdb.DuckDBPyConnection,
    folder: DayFolder,
    config: SourceConfig,
    infos: dict[str, FileInfo],
    usable: frozenset[str],
    *,
    first_day: bool,
    previous_day: date | None,
    prev_tables: frozenset[str],
    folder_checks: bool = True,
) -> DayCheck:
    """The rules over a day already staged (stage_day) on `con`, with its folder checks unless done already."""
    if folder_checks:
        for problem in folder_problems(folder, config, previous_day):
            _insert(con, problem, "folder")
    build_known(con)
    day = Day(
        config=config, business_date=folder.business_date,
        files={t: info.rel for t, info in infos.items()},
        first_day=first_day, usable=usable, prev_tables=prev_tables,
    )
    record_many(con, [(f.sql, f.tbl, day.files[f.tbl], f.rule) for f in findings(day)])
    count, fatal = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE rule IN {FATAL_RULES}) FROM {PROBLEMS}"
    ).fetchone()
    return DayCheck(folder=folder, files=infos, usable=usable, problem_count=count, fatal=fatal > 0)


def findings(day: Day) -> list[Finding]:
    """Every rule of the configuration that can run on the day's usable tables."""
    result: list[Finding] = []
    for spec in day.config.tables:
        if spec.name not in day.usable:
            continue
        result += keys_unique(spec, day)
        for check in spec.checks:
            result += TABLE_RULES[check.rule](spec, check, day)
    for check in day.config.invariants:
        result += INVARIANT_RULES[check.rule](check, day)
    return result


def folder_problems(folder: DayFolder, config: SourceConfig, previous_day: date | None) -> list[Problem]:
    """The business date is a trading day of a known year, and no trading day is missing since the previous one."""
    d = folder.business_date
    cal = trading_calendar.current()
    if not cal.known(d.year):
        return CalendarYearUnknown(d.year, day=d, file=folder.rel).problems
    if not cal.is_trading_day(d):
        return [Problem(f"{d} is not an XSHG trading day; the day is refused", file=folder.rel)]
    expected = cal.previous_session(d)
    if previous_day is not None and expected is not None and previous_day < expected:
        return [Problem(
            f"trading day {expected.strftime(config.folder_format)} is missing: the previous delivered day is "
            f"{previous_day.strftime(config.folder_format)}", file=folder.rel)]
    return []


def _insert(con: duckdb.DuckDBPyConnection, problem: Problem, rule: str) -> None:
    con.execute(
        f"INSERT INTO {PROBLEMS} VALUES ('', ?, ?, ?, ?, ?)",
        [problem.file, problem.line, problem.column, problem.message, rule],
    )


def listed_problems(con: duckdb.DuckDBPyConnection, cap: int = CAP) -> list[Problem]:
    """The recorded problems, at most `cap` per file and rule, each overflow told in one line."""
    rows = con.execute(
        f"""SELECT file, line, col, message, rule, rn, n FROM (
              SELECT *, row_number() OVER (PARTITION BY file, rule ORDER BY line NULLS FIRST, col, message) AS rn,
                     count(*) OVER (PARTITION BY file, rule) AS n FROM {PROBLEMS})
            WHERE rn <= ? ORDER BY file, line NULLS FIRST, col, message""",
        [cap],
    ).fetchall()
    listed: list[tuple[tuple, Problem]] = []
    for file, line, col, message, rule, rn, n in rows:
        listed.append(((file, 0), Problem(message, file=file, line=line, column=col or "")))
        if rn == cap and n > cap:
            more = Problem(f"{n - cap} more problems of this kind ({rule}) are not listed", file=file)
            listed.append(((file, 1), more))
    listed.sort(key=lambda item: item[0])  # stable: overflow lines after their file's problems
    return [problem for _, problem in listed]
