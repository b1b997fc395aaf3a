"""ODS ingest (贴源层): a day folder as delivered, validated, loaded whole in one transaction.

Tables `ods.<table>` hold exactly the interface columns, typed, plus business_date (the folder's
date), source_line (physical line, header = 1) and load_id. `ods.loaded_days` records each load,
`ods.quarantine` every problem found with its raw line. Validation uses the same checks as
`brokercrm validate`, with the context (earlier customers, securities, branches; the previous
day's cash and positions) read from the ODS itself.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.datacenter.checks.context import CONTEXT_TABLES, roll_context, warehouse_context
from brokercrm.datacenter import calendar as trading_calendar
from brokercrm.datacenter.checks import calendar
from brokercrm.datacenter.checks.day import (
    CAP, DayFolder, check_day, check_staged, day_folders, listed_problems, parse_folder_date, scan_day, stage_day,
)
from brokercrm.datacenter.checks.files import check_manifest
from brokercrm.datacenter.checks.sql import PROBLEMS, date_lit, ident, reset_problems
from brokercrm.datacenter.sources.config import ODS_COLUMNS, SQL_TYPES, SourceConfig, default_source_config

POLICIES = ("reject_day", "load_good_rows")
TABLES = tuple(ODS_COLUMNS)


@dataclass(frozen=True)
class IngestResult:
    """What one day's ingest did; rows_rejected counts rows with at least one problem."""

    business_date: date
    loaded: bool
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_written: dict[str, int] = field(default_factory=dict)
    rows_rejected: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    load_id: int | None = None


def ensure_ods_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ODS tables when missing (the contract other layers build on)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS ods")
    for table, columns in ODS_COLUMNS.items():
        typed = ", ".join(f"{ident(c)} {SQL_TYPES[t]}" for c, t in columns)
        con.execute(
            f"CREATE TABLE IF NOT EXISTS ods.{table} ({typed}, business_date DATE NOT NULL, "
            "source_line INTEGER, load_id BIGINT)"
        )
    con.execute(
        "CREATE TABLE IF NOT EXISTS ods.loaded_days (business_date DATE PRIMARY KEY, load_id BIGINT, "
        "loaded_at TIMESTAMP, manifest_sha256 VARCHAR, rows_read JSON, rows_written JSON, rows_rejected JSON)"
    )
    con.execute(
        'CREATE TABLE IF NOT EXISTS ods.quarantine (business_date DATE, file VARCHAR, line INTEGER, "column" VARCHAR, '
        "message VARCHAR, raw VARCHAR, load_id BIGINT)"
    )
    con.execute("CREATE SEQUENCE IF NOT EXISTS ods.load_id_seq START 1")


def loaded_days(con: duckdb.DuckDBPyConnection) -> list[date]:
    ensure_ods_schema(con)
    return [row[0] for row in con.execute("SELECT business_date FROM ods.loaded_days ORDER BY 1").fetchall()]


def ingest_day(
    con: duckdb.DuckDBPyConnection,
    day_dir: Path,
    *,
    config: SourceConfig | None = None,
    policy: str = "reject_day",
    root: Path | None = None,
) -> IngestResult:
    """Validate and load one day folder; re-ingesting a day replaces it exactly.

    Refused whole (InputRejected, nothing changed): a bad manifest, a folder name that is no date,
    a day whose previous delivered day is not loaded. Otherwise any problem is recorded in
    ods.quarantine; `reject_day` then loads nothing, `load_good_rows` loads the rows without problems
    unless the problem concerns a whole file or the day (encoding, header, missing trading day).
    """
    config = config or default_source_config()
    if policy not in POLICIES:
        raise DomainError(f"unknown bad-row policy {policy!r}; expected one of {', '.join(POLICIES)}", field="policy")
    day_dir = Path(day_dir)
    root = Path(root) if root is not None else day_dir.parent
    business_date = parse_folder_date(day_dir.name, config)
    if business_date is None:
        raise InputRejected([Problem(f"folder name is not a business date ({config.folder_format})", file=day_dir.name)])
    ensure_ods_schema(con)
    folder = DayFolder(business_date=business_date, path=day_dir, rel=_relative(day_dir, root))
    previous = _previous_days(con, folder, [f.business_date for f in day_folders(root, config)], config)[0]
    with tempfile.TemporaryDirectory(prefix="brokercrm-ingest-") as scratch:
        infos = scan_day(folder, config, Path(scratch))
        refused = check_manifest(folder.path, folder.rel, business_date, config, infos)
        if refused:
            raise InputRejected(refused)
        try:
            warehouse_context(con, business_date, previous)
            checked = check_day(
                con, folder, config, first_day=previous is None, previous_day=previous,
                prev_tables=frozenset({"assets", "positions"}), scratch=Path(scratch),
            )
            return _store(con, folder, config, checked.fatal, checked.problem_count, policy, infos)
        finally:
            drop_staging(con)


@dataclass
class _Staged:
    """A day read and typed on one cursor (context-free work), waiting for its turn to be checked and stored."""

    folder: DayFolder
    cursor: duckdb.DuckDBPyConnection
    scratch: tempfile.TemporaryDirectory
    infos: dict
    refused: list[Problem]
    usable: frozenset[str] = frozenset()


class DayPipeline:
    """Ingest consecutive days with the next day's files read and typed while the current day is checked and stored.

    Each day is one DuckDB statement stream that mostly runs on one core; reading and typing a day's
    files (about half its cost) needs no context, so it overlaps with the previous day's rules and
    commit on a second cursor. The rules and the store of a day still run only after the previous day
    is committed, with the same context and results as `ingest_day` (one day at a time).

    The context (earlier versions, previous day) lives in an in-memory database both cursors read; after a
    day is stored it is rolled forward with that day's rows instead of re-read from every earlier day.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, folders: list[DayFolder], *, config: SourceConfig,
                 policy: str, root: Path):
        from concurrent.futures import ThreadPoolExecutor

        if policy not in POLICIES:
            raise DomainError(f"unknown bad-row policy {policy!r}; expected one of {', '.join(POLICIES)}", field="policy")
        ensure_ods_schema(con)
        self.con, self.config, self.policy, self.root = con, config, policy, Path(root)
        self.folders = list(folders)
        # The delivery's day folders, listed once: a day is checked against the one delivered before it.
        self.delivered = [f.business_date for f in day_folders(self.root, config)]
        self.sessions = trading_calendar.current().sessions
        self.cursors = (con.cursor(), con.cursor())
        self.context = f"brokercrm_ingest_{id(self):x}"
        con.execute(f"ATTACH ':memory:' AS {self.context}")
        for name, columns in CONTEXT_TABLES.items():
            con.execute(f"CREATE TABLE {self.context}.main.{name} ({columns})")
        for cursor in self.cursors:
            for name in CONTEXT_TABLES:
                cursor.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {self.context}.main.{name}")
        self.rolled_to: date | None = None  # the context holds the days up to this one, the previous day included
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brokercrm-stage")
        self.pending: dict[date, object] = {}

    def _stage(self, index: int) -> _Staged:
        folder = self.folders[index]
        cursor = self.cursors[index % 2]
        scratch = tempfile.TemporaryDirectory(prefix="brokercrm-ingest-")
        infos = scan_day(folder, self.config, Path(scratch.name))
        refused = check_manifest(folder.path, folder.rel, folder.business_date, self.config, infos)
        staged = _Staged(folder=folder, cursor=cursor, scratch=scratch, infos=infos, refused=refused)
        if not refused:
            calendar.register_sessions(cursor, self.sessions)
            reset_problems(cursor)
            staged.usable = stage_day(cursor, folder, self.config, infos, sink=PROBLEMS)
        return staged

    def ingest(self, index: int) -> IngestResult:
        """Check and store day `index` of the folders (refused: InputRejected, as ingest_day)."""
        future = self.pending.pop(index, None)
        staged = future.result() if future is not None else self._stage(index)
        if index + 1 < len(self.folders):
            self.pending[index + 1] = self.pool.submit(self._stage, index + 1)
        folder, cur = staged.folder, staged.cursor
        try:
            previous, latest = _previous_days(cur, folder, self.delivered, self.config)
            if staged.refused:
                raise InputRejected(staged.refused)
            if self.rolled_to is None or self.rolled_to != previous or self.rolled_to != latest:
                warehouse_context(cur, folder.business_date, previous, into=self.context)
            self.rolled_to = None
            checked = check_staged(
                cur, folder, self.config, staged.infos, staged.usable, first_day=previous is None,
                previous_day=previous, prev_tables=frozenset({"assets", "positions"}),
            )
            result = _store(cur, folder, self.config, checked.fatal, checked.problem_count, self.policy, staged.infos)
            if result.loaded:
                roll_context(cur, folder.business_date, into=self.context)
                self.rolled_to = folder.business_date
            return result
        finally:
            drop_staging(cur)
            staged.scratch.cleanup()

    def close(self) -> None:
        """Wait for a day being staged ahead and drop what it staged."""
        for future in self.pending.values():
            try:
                staged = future.result()
            except Exception:  # noqa: BLE001 - the day was never ingested; its error is moot
                continue
            drop_staging(staged.cursor)
            staged.scratch.cleanup()
        self.pending.clear()
        self.pool.shutdown(wait=True)
        for cursor in self.cursors:
            cursor.close()
        self.con.execute(f"DETACH {self.context}")


def _relative(day_dir: Path, root: Path) -> str:
    try:
        return day_dir.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return day_dir.name


def _previous_days(
    con: duckdb.DuckDBPyConnection, folder: DayFolder, delivered: list[date], config: SourceConfig
) -> tuple[date | None, date | None]:
    """(the previous delivered day, which must be loaded, or None for the delivery's first day; the latest day loaded
    before the folder's). The ODS schema exists already."""
    loaded = [r[0] for r in con.execute("SELECT business_date FROM ods.loaded_days ORDER BY 1").fetchall()]
    earlier = [d for d in delivered if d < folder.business_date]
    if earlier and earlier[-1] not in loaded:
        shown = earlier[-1].strftime(config.folder_format)
        raise InputRejected([Problem(
            f"the previous delivered day {shown} is not loaded; days are loaded in date order", file=folder.rel)])
    before = [d for d in loaded if d < folder.business_date]
    latest = before[-1] if before else None
    return (earlier[-1] if earlier else latest), latest


def _store(
    con: duckdb.DuckDBPyConnection, folder: DayFolder, config: SourceConfig, fatal: bool, problem_count: int,
    policy: str, infos: dict,
) -> IngestResult:
    d = folder.business_date
    rows_read = {t: infos[t].rows for t in TABLES}
    rows_rejected = dict.fromkeys(TABLES, 0)
    # Nearly every day has no problem: then the problem sink is empty and its four queries are skipped.
    problems, with_bad_rows = (), set()
    if problem_count:
        problems = tuple(listed_problems(con, CAP))
        rows_rejected.update(dict(con.execute(
            f"SELECT tbl, count(DISTINCT line) FROM {PROBLEMS} WHERE tbl <> '' AND line > 1 GROUP BY tbl").fetchall()))
        with_bad_rows = {r[0] for r in con.execute(f"SELECT DISTINCT tbl FROM {PROBLEMS} WHERE line IS NOT NULL").fetchall()}
    load = not fatal and (problem_count == 0 or policy == "load_good_rows")
    rows_written = dict.fromkeys(TABLES, 0)
    # A day never loaded before has no rows to replace: skip eight DELETE scans of growing tables.
    load_id, reload, quarantined = con.execute(
        "SELECT nextval('ods.load_id_seq'), EXISTS (SELECT 1 FROM ods.loaded_days WHERE business_date = $1), "
        "EXISTS (SELECT 1 FROM ods.quarantine WHERE business_date = $1)", [d]).fetchone()
    con.execute("BEGIN TRANSACTION")
    try:
        if load:
            for table in TABLES:
                if reload:
                    con.execute(f"DELETE FROM ods.{table} WHERE business_date = ?", [d])
                rows_written[table] = _insert_rows(con, table, d, load_id, bad_rows=table in with_bad_rows)
            if quarantined:
                con.execute("DELETE FROM ods.quarantine WHERE business_date = ?", [d])
        if problem_count:
            _quarantine(con, d, load_id)
        if load:
            manifest_sha = _sha256(folder.path / config.manifest)
            con.execute(
                "INSERT OR REPLACE INTO ods.loaded_days VALUES (?, ?, now()::TIMESTAMP, ?, ?::JSON, ?::JSON, ?::JSON)",
                [d, load_id, manifest_sha, json.dumps(rows_read), json.dumps(rows_written), json.dumps(rows_rejected)],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return IngestResult(
        business_date=d, loaded=load, rows_read=rows_read, rows_written=rows_written,
        rows_rejected=rows_rejected, problems=problems, load_id=load_id,
    )


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, business_date: date, load_id: int, *, bad_rows: bool) -> int:
    """Insert the staged rows of one table that have no problem; the count inserted. A table without a problem line
    (nearly always) is copied without the anti-join."""
    columns = ", ".join(ident(c) for c, _ in ODS_COLUMNS[table])
    bad = (f"""ANTI JOIN (SELECT DISTINCT line FROM {PROBLEMS} WHERE tbl = '{table}' AND line IS NOT NULL) bad
          ON bad.line = s.line""" if bad_rows else "")
    con.execute(
        f"""INSERT INTO ods.{table} ({columns}, business_date, source_line, load_id)
        SELECT {columns}, {date_lit(business_date)}, line, {int(load_id)} FROM vd_{table} s {bad}"""
    )
    return con.fetchone()[0]


def _quarantine(con: duckdb.DuckDBPyConnection, business_date: date, load_id: int) -> None:
    raws = " UNION ALL ".join(f"SELECT '{t}' AS tbl, line, raw FROM vd_raw_{t}" for t in TABLES)
    con.execute(
        f"""INSERT INTO ods.quarantine
        SELECT {date_lit(business_date)}, p.file, p.line, p.col, p.message, r.raw, {int(load_id)}
        FROM {PROBLEMS} p LEFT JOIN ({raws}) r ON r.tbl = p.tbl AND r.line = p.line
        ORDER BY p.file, p.line NULLS FIRST, p.col"""
    )


def _sha256(path: Path) -> str:
    import hashlib

    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables of a check (the session calendar stays cached)."""
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'vd\\_%' ESCAPE '\\' "
        "AND table_name <> 'vd_sessions'"
    ).fetchall()
    for (name,) in names:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{ident(name)}")


def ingest_days(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    dates: Iterable[date] | None = None,
    progress: Callable[[int, int, IngestResult], None] | None = None,
    *,
    config: SourceConfig | None = None,
    policy: str = "reject_day",
) -> list[IngestResult]:
    """Load every complete day (manifest present) not yet loaded, or the days named, in date order.

    Stops at the first day refused or not loaded; that day's result (with its problems) is last.
    """
    config = config or default_source_config()
    root = Path(root)
    loaded = set(loaded_days(con))
    wanted = set(dates) if dates is not None else None
    todo = [
        f for f in day_folders(root, config)
        if (f.path / config.manifest).is_file()
        and (f.business_date in wanted if wanted is not None else f.business_date not in loaded)
    ]
    results: list[IngestResult] = []
    for index, folder in enumerate(todo, start=1):
        try:
            result = ingest_day(con, folder.path, config=config, policy=policy, root=root)
        except InputRejected as exc:
            result = IngestResult(business_date=folder.business_date, loaded=False, problems=tuple(exc.problems))
        results.append(result)
        if progress is not None:
            progress(index, len(todo), result)
        if not result.loaded:
            break
    return results
