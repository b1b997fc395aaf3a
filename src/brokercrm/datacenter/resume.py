"""Which steps of the load graph each loaded business date has been through (ods.step_done), so a rerun completes them.

Ingest commits a day (ods.loaded_days, with its load_id); each later step marks every date it worked on once its
own writes are committed. Every step is idempotent per date, so a kill between a step's commit and its mark only
means the step runs again. A day ingested again gets a new load_id and thereby needs every later step again.
`pending.json` beside the warehouse mirrors the undone steps for the console, which never opens the warehouse.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def _table_exists(con, schema: str, table: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                       [schema, table]).fetchone()[0] > 0


def ensure_step_done(con, steps: list[str]) -> None:
    """Create ods.step_done when missing. A warehouse loaded before it existed counts its days as complete."""
    if _table_exists(con, "ods", "step_done"):
        return
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE SCHEMA IF NOT EXISTS ods")
    con.execute("CREATE TABLE ods.step_done (business_date DATE NOT NULL, step VARCHAR NOT NULL, load_id BIGINT, "
                "finished_at TIMESTAMP, PRIMARY KEY (business_date, step))")
    if _table_exists(con, "ods", "loaded_days"):
        con.execute("INSERT INTO ods.step_done SELECT d.business_date, s.step, d.load_id, now()::TIMESTAMP "
                    "FROM ods.loaded_days d CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS step) s", [steps])
    con.execute("COMMIT")


def step_mark_done(con, *, step: str, dates: list[dt.date]) -> None:
    """Record that `step` is done for these loaded dates (with the load each date is at)."""
    if dates:
        con.execute("INSERT OR REPLACE INTO ods.step_done SELECT business_date, ?, load_id, now()::TIMESTAMP "
                    "FROM ods.loaded_days WHERE business_date IN (SELECT unnest(?::DATE[]))", [step, sorted(dates)])


def pending_steps(con, steps: list[str]) -> dict[dt.date, list[str]]:
    """Every loaded date with steps not done for its current load: date → those steps, in graph order."""
    if not _table_exists(con, "ods", "loaded_days"):
        return {}
    done = {(d, s) for d, s in con.execute(
        "SELECT s.business_date, s.step FROM ods.step_done s JOIN ods.loaded_days d "
        "ON d.business_date = s.business_date AND d.load_id IS NOT DISTINCT FROM s.load_id").fetchall()}
    days = [row[0] for row in con.execute("SELECT business_date FROM ods.loaded_days ORDER BY 1").fetchall()]
    pending = {day: [s for s in steps if (day, s) not in done] for day in days}
    return {day: undone for day, undone in pending.items() if undone}


def pending_file() -> Path:
    return Path(settings.WAREHOUSE_PATH).parent / "pending.json"


def pending_publish(pending: dict[dt.date, list[str]]) -> None:
    """Write the undone steps for the console (atomically: a reader sees the old or the new file whole)."""
    path = pending_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps({"updated_at": timezone.now().isoformat(),
                                   "pending": {d.isoformat(): s for d, s in sorted(pending.items())}}), encoding="utf-8")
    os.replace(partial, path)


def pending_read() -> dict[dt.date, list[str]]:
    """The undone steps per date as the last load left them (empty before the first load)."""
    try:
        data = json.loads(pending_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {dt.date.fromisoformat(d): steps for d, steps in data["pending"].items()}
