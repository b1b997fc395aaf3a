"""ods.step_done: which steps each loaded day has been through, and what a rerun must still do."""
import datetime as dt

import duckdb

from brokercrm.datacenter.pipelines.ods import ensure_ods_schema
from brokercrm.datacenter.resume import ensure_step_done, pending_steps, step_mark_done

STEPS = ["app_sync", "build_dw", "alerts"]
D1, D2 = dt.date(2026, 3, 2), dt.date(2026, 3, 3)


def _loaded(con, day: dt.date, load_id: int) -> None:
    con.execute("INSERT OR REPLACE INTO ods.loaded_days (business_date, load_id) VALUES (?, ?)", [day, load_id])


def test_a_warehouse_loaded_before_the_markers_existed_counts_its_days_complete():
    """Given two days loaded by an older version, when step_done is created, then nothing is pending."""
    con = duckdb.connect(":memory:")
    ensure_ods_schema(con)
    _loaded(con, D1, 1)
    _loaded(con, D2, 2)

    ensure_step_done(con, STEPS)

    assert pending_steps(con, STEPS) == {}


def test_undone_steps_are_those_not_marked_for_the_days_current_load():
    """Given a fresh warehouse, when D1 went through app_sync and D2 through every step but was ingested again since,
    then D1 still needs build_dw and alerts, and D2 every step."""
    con = duckdb.connect(":memory:")
    ensure_ods_schema(con)
    ensure_step_done(con, STEPS)
    _loaded(con, D1, 1)
    _loaded(con, D2, 2)
    step_mark_done(con, step="app_sync", dates=[D1, D2])
    for step in STEPS[1:]:
        step_mark_done(con, step=step, dates=[D2])

    _loaded(con, D2, 3)

    assert pending_steps(con, STEPS) == {D1: ["build_dw", "alerts"], D2: STEPS}
