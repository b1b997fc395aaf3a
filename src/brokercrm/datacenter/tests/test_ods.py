"""ODS ingest: the table contract, idempotent replace, bad-row policies, crash safety, day order."""
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.datacenter.checks.context import CONTEXT_TABLES, warehouse_context
from brokercrm.datacenter.checks.day import day_folders
from brokercrm.datacenter.pipelines import ods
from brokercrm.datacenter.pipelines.ods import DayPipeline, ensure_ods_schema, ingest_day, ingest_days
from brokercrm.datacenter.sources.config import default_source_config
from brokercrm.datacenter.tests.delivery_factory import build_delivery
from brokercrm.datacenter.validation import validate_delivery

DATA_TABLES = ("branches", "customers", "securities", "deliveries", "cash_flows", "security_transfers", "positions", "assets")


@pytest.fixture
def d(tmp_path):
    return build_delivery(tmp_path / "delivery")


@pytest.fixture
def con():
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")
    yield connection
    connection.close()


def snapshot(con, *, with_load: bool = True) -> dict:
    """Every row of every ODS table (load ids and load times left out unless asked)."""
    out = {}
    for table in DATA_TABLES + ("loaded_days", "quarantine"):
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ods' AND table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()]
        kept = [c for c in columns if with_load or c not in ("load_id", "loaded_at")]
        out[table] = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in kept)} FROM ods.{table} ORDER BY ALL').fetchall()
    return out


def test_ods_tables_have_the_contract_columns_and_types(con):
    """Interface columns typed (DATE, DECIMAL(18,2), DECIMAL(18,3), BIGINT, VARCHAR) plus load metadata."""
    ensure_ods_schema(con)
    rows = con.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'ods' AND table_name = 'positions' ORDER BY ordinal_position").fetchall()
    assert rows == [
        ("biz_date", "DATE", "YES"), ("customer_no", "VARCHAR", "YES"), ("market", "VARCHAR", "YES"),
        ("security_code", "VARCHAR", "YES"), ("quantity", "BIGINT", "YES"), ("cost_amount", "DECIMAL(18,2)", "YES"),
        ("close_price", "DECIMAL(18,3)", "YES"), ("market_value", "DECIMAL(18,2)", "YES"),
        ("business_date", "DATE", "NO"), ("source_line", "INTEGER", "YES"), ("load_id", "BIGINT", "YES"),
    ]
    assert [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ods' AND table_name = 'quarantine' "
        "ORDER BY ordinal_position").fetchall()] == ["business_date", "file", "line", "column", "message", "raw", "load_id"]
    assert con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ods' "
        "AND table_name = 'loaded_days' ORDER BY ordinal_position").fetchall() == [
        ("business_date", "DATE"), ("load_id", "BIGINT"), ("loaded_at", "TIMESTAMP"), ("manifest_sha256", "VARCHAR"),
        ("rows_read", "JSON"), ("rows_written", "JSON"), ("rows_rejected", "JSON")]


def test_ingest_days_loads_every_day_typed_with_its_source_line(d, con):
    """Three days load in order; codes keep leading zeros, money is DECIMAL, lines are physical."""
    results = ingest_days(con, d.root)
    assert [(r.business_date, r.loaded, r.problems) for r in results] == [
        (date(2026, 3, 2), True, ()), (date(2026, 3, 3), True, ()), (date(2026, 3, 4), True, ())]
    assert results[1].rows_read == results[1].rows_written == {
        "branches": 0, "customers": 2, "securities": 0, "deliveries": 3, "cash_flows": 2,
        "security_transfers": 0, "positions": 4, "assets": 4}
    assert con.execute(
        "SELECT security_code, quantity, price, amount, stamp_tax, business_date, source_line FROM ods.deliveries "
        "WHERE serial_no = 'T00003'").fetchall() == [
        ("000001", 5000, Decimal("11.235"), Decimal("56175.00"), Decimal("28.09"), date(2026, 3, 3), 3)]
    assert con.execute("SELECT address FROM ods.customers WHERE customer_no = '10000001'").fetchone() == (
        "上海市浦东新区, 世纪大道100号",)
    assert con.execute("SELECT business_date FROM ods.loaded_days ORDER BY 1").fetchall() == [
        (date(2026, 3, 2),), (date(2026, 3, 3),), (date(2026, 3, 4),)]


def test_reingesting_a_day_replaces_it_exactly(d, con):
    """The same day twice gives the same ODS (only the load id and time change)."""
    ingest_days(con, d.root)
    before = snapshot(con, with_load=False)
    result = ingest_day(con, d.day_dir(2))
    assert result.loaded is True
    assert snapshot(con, with_load=False) == before


def test_reject_day_leaves_the_warehouse_unchanged(d, con):
    """Default policy: one bad value refuses the day; the ODS is untouched, the problem quarantined."""
    ingest_days(con, d.root, dates=[date(2026, 3, 2), date(2026, 3, 3)])
    before = snapshot(con)
    d.edit(2, "assets", 3, "total_assets", "1022380.12")
    result = ingest_day(con, d.day_dir(2))
    message = ("total_assets 1022380.12 differs from cash_balance + market_value = 722604.11 + 299776.00 = 1022380.11")
    assert (result.loaded, [str(p) for p in result.problems]) == (False, [f"2026-03-04/assets.csv:3:total_assets: {message}"])
    assert result.rows_rejected["assets"] == 1 and result.rows_written["assets"] == 0
    after = snapshot(con)
    assert {t: rows for t, rows in after.items() if t != "quarantine"} == {t: rows for t, rows in before.items() if t != "quarantine"}
    assert con.execute('SELECT business_date, file, line, "column", message, raw FROM ods.quarantine').fetchall() == [
        (date(2026, 3, 4), "2026-03-04/assets.csv", 3, "total_assets", message,
         "2026-03-04,10000002,722604.11,299776.00,1022380.12")]


def test_load_good_rows_loads_the_rest_and_quarantines_the_bad(d, con):
    """Policy load_good_rows: the bad row stays out of the ODS and sits in quarantine with its raw line."""
    ingest_days(con, d.root, dates=[date(2026, 3, 2), date(2026, 3, 3)])
    d.edit(2, "assets", 3, "total_assets", "1022380.12")
    result = ingest_day(con, d.day_dir(2), policy="load_good_rows")
    assert (result.loaded, result.rows_read["assets"], result.rows_written["assets"], result.rows_rejected["assets"]) == (
        True, 4, 3, 1)
    assert con.execute("SELECT customer_no FROM ods.assets WHERE business_date = DATE '2026-03-04' ORDER BY 1").fetchall() == [
        ("10000001",), ("10000003",), ("10000004",)]
    assert con.execute("SELECT file, line, raw FROM ods.quarantine").fetchall() == [
        ("2026-03-04/assets.csv", 3, "2026-03-04,10000002,722604.11,299776.00,1022380.12")]


def test_load_good_rows_still_refuses_an_unreadable_file(d, con):
    """A wrong header concerns the whole file: the day is not loaded under any policy."""
    ingest_days(con, d.root, dates=[date(2026, 3, 2), date(2026, 3, 3)])
    d.set_line(2, "assets", 1, "biz_date,customer_no,cash,market_value,total_assets")
    result = ingest_day(con, d.day_dir(2), policy="load_good_rows")
    assert result.loaded is False
    assert con.execute("SELECT count(*) FROM ods.assets WHERE business_date = DATE '2026-03-04'").fetchone() == (0,)


def test_crash_mid_ingest_leaves_the_previous_state(d, con, monkeypatch):
    """An insert failing half-way rolls the whole day back: the earlier load of that day stays."""
    ingest_days(con, d.root)
    before = snapshot(con)
    real_insert = ods._insert_rows

    def failing_insert(con, table, business_date, load_id, **options):
        if table == "positions":
            raise RuntimeError("disk full")
        return real_insert(con, table, business_date, load_id, **options)

    monkeypatch.setattr(ods, "_insert_rows", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_day(con, d.day_dir(2))
    assert snapshot(con) == before


def test_crash_on_a_first_load_leaves_nothing_of_that_day(d, con, monkeypatch):
    """A crash while loading a new day leaves no row of it."""
    ingest_days(con, d.root, dates=[date(2026, 3, 2)])
    before = snapshot(con)
    monkeypatch.setattr(ods, "_insert_rows", lambda *args, **options: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError, match="killed"):
        ingest_day(con, d.day_dir(1))
    assert snapshot(con) == before


def test_bad_manifest_refuses_the_day_whole(d, con):
    """A manifest disagreeing with a file: InputRejected naming the file, nothing stored (not even quarantine)."""
    ingest_days(con, d.root, dates=[date(2026, 3, 2)])
    before = snapshot(con)
    d.edit(1, "deliveries", 2, "channel", "web", refresh=False)
    with pytest.raises(InputRejected) as refused:
        ingest_day(con, d.day_dir(1))
    assert [p.file for p in refused.value.problems] == ["2026-03-03/deliveries.csv"]
    assert refused.value.problems[0].message.startswith("sha256 is ")
    assert snapshot(con) == before


def test_a_day_whose_previous_day_is_not_loaded_is_refused(d, con):
    """Days load in date order (the first delivered day excepted)."""
    with pytest.raises(InputRejected) as refused:
        ingest_day(con, d.day_dir(1))
    assert [str(p) for p in refused.value.problems] == [
        "2026-03-03::: the previous delivered day 2026-03-02 is not loaded; days are loaded in date order"]


def test_ingest_days_stops_at_the_first_refused_day(d, con):
    """Day 2 refused: day 1 is loaded, day 3 not attempted; progress is told after each day."""
    d.edit(1, "assets", 3, "total_assets", "1.00")
    seen = []
    results = ingest_days(con, d.root, progress=lambda i, n, r: seen.append((i, n, r.business_date, r.loaded)))
    assert [(r.business_date, r.loaded) for r in results] == [(date(2026, 3, 2), True), (date(2026, 3, 3), False)]
    assert seen == [(1, 3, date(2026, 3, 2), True), (2, 3, date(2026, 3, 3), False)]
    assert con.execute("SELECT business_date FROM ods.loaded_days").fetchall() == [(date(2026, 3, 2),)]


def test_ingest_checks_with_warehouse_context_as_the_validator_does_with_files(d, con):
    """The same rules: cash continuity against the previous day read from ods.assets gives the validator's message."""
    ingest_days(con, d.root, dates=[date(2026, 3, 2), date(2026, 3, 3)])
    d.edit(2, "assets", 4, "cash_balance", "5.00")
    d.edit(2, "assets", 4, "total_assets", "5.00")
    result = ingest_day(con, d.day_dir(2))
    assert [str(p) for p in result.problems] == [str(p) for p in validate_delivery(d.root)] == [
        "2026-03-04/assets.csv:4:cash_balance: cash_balance 5.00 differs from the previous day's 2500.00 + cash flows "
        "-2500.00 + trade settlements 0.00 = 0.00"]


def test_unknown_policy_is_refused(d, con):
    """Only reject_day and load_good_rows exist."""
    with pytest.raises(DomainError) as refused:
        ingest_day(con, d.day_dir(0), policy="load_everything")
    assert (refused.value.field, refused.value.message) == (
        "policy", "unknown bad-row policy 'load_everything'; expected one of reject_day, load_good_rows")


def _pipeline_ingest(con, root, folders):
    """Ingest the folders through DayPipeline, stopping at the first day refused or not loaded."""
    config = default_source_config()
    todo = [f for f in day_folders(root, config) if f.business_date in folders]
    pipeline = DayPipeline(con, todo, config=config, policy="reject_day", root=root)
    results = []
    try:
        for i in range(len(todo)):
            try:
                results.append(pipeline.ingest(i))
            except InputRejected as exc:
                results.append(exc)
                break
            if not results[-1].loaded:
                break
    finally:
        pipeline.close()
    return results


def test_the_day_pipeline_loads_exactly_what_day_by_day_ingest_loads(d, con):
    """Three days staged ahead on a second cursor: the ODS equals ingest_day's, day by day, load ids aside."""
    days = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    results = _pipeline_ingest(con, d.root, days)
    assert [r.loaded for r in results] == [True, True, True]
    other = duckdb.connect(":memory:")
    ingest_days(other, d.root, dates=days)
    assert snapshot(con, with_load=False) == snapshot(other, with_load=False)


def test_the_day_pipeline_stops_at_a_bad_day_with_its_line_and_keeps_the_days_before(d, con):
    """Day two has one bad value: day one stays loaded, day two refused naming FILE:LINE:COLUMN, day three not loaded."""
    d.edit(1, "assets", 3, "total_assets", "1022380.12")
    results = _pipeline_ingest(con, d.root, [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)])
    assert [r.loaded for r in results] == [True, False]
    assert [str(p) for p in results[1].problems][0].startswith("2026-03-03/assets.csv:3:total_assets: total_assets 1022380.12")
    assert con.execute("SELECT business_date FROM ods.loaded_days").fetchall() == [(date(2026, 3, 2),)]
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE 'vd_%' "
                       "AND table_name <> 'vd_sessions'").fetchone()[0] == 0


def test_the_day_pipeline_rolls_its_context_forward_to_what_the_warehouse_would_give(d, con, monkeypatch):
    """After day two (a changed customer version, a bad assets row kept out under load_good_rows) the pipeline's
    context, rolled forward from day two's rows with the ODS read whole only for the first day, equals the
    context read from every loaded day for day three."""
    d.edit(1, "customers", d.find_line(1, "customers", customer_no="10000002"), "close_date", "2026-03-04")
    d.edit(1, "assets", 3, "total_assets", "1022380.12")
    config = default_source_config()
    read_whole = []
    monkeypatch.setattr(ods, "warehouse_context", lambda *a, **k: (read_whole.append(a[1]), warehouse_context(*a, **k)))
    pipeline = DayPipeline(con, day_folders(d.root, config), config=config, policy="load_good_rows", root=d.root)
    try:
        assert [pipeline.ingest(i).loaded for i in range(2)] == [True, True]
        rolled = {name: con.execute(f"SELECT * FROM {pipeline.context}.main.{name} ORDER BY ALL").fetchall()
                  for name in CONTEXT_TABLES}
    finally:
        pipeline.close()
    warehouse_context(con, date(2026, 3, 4), date(2026, 3, 3))
    assert rolled == {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in CONTEXT_TABLES}
    assert read_whole == [date(2026, 3, 2)]
    assert ("10000002", date(2021, 3, 1), date(2026, 3, 4)) in rolled["vd_ctx_customers"]
    assert [r[0] for r in rolled["vd_ctx_prev_assets"]] == ["10000001", "10000003", "10000004"]


def test_the_day_pipeline_reads_the_context_again_when_a_loaded_day_lies_between(d, con, monkeypatch):
    """Reloading days one and three (day two loaded before): day three is checked against day two read from the
    ODS, not against day one rolled forward, and both load as they did."""
    days = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    ingest_days(con, d.root, dates=days)
    before = snapshot(con, with_load=False)
    read_whole = []
    monkeypatch.setattr(ods, "warehouse_context", lambda *a, **k: (read_whole.append(a[1]), warehouse_context(*a, **k)))
    results = _pipeline_ingest(con, d.root, [days[0], days[2]])
    assert [r.loaded for r in results] == [True, True]
    assert read_whole == [days[0], days[2]]
    assert snapshot(con, with_load=False) == before
