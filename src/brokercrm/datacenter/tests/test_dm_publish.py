"""Publishing marts: a new snapshot per publish, swapped in atomically, readers never blocked."""
import json
import os

import pytest

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines import publish
from brokercrm.datacenter.pipelines.publish import PUBLISHED_FACTS, open_published, publish_marts
from brokercrm.datacenter.tests.ods_factory import build, rich_brokerage
from brokercrm.datacenter.warehouse import connect


def _warehouse(path):
    con = connect(path)
    staff_rows, relations = rich_brokerage(con)
    build(con, staff_rows=staff_rows, relations=relations)
    return con


def test_publish_writes_a_snapshot_and_points_current_at_it(tmp_path):
    """The snapshot holds the marts and the web's small dimensions; CURRENT names it."""
    con = _warehouse(tmp_path / "warehouse.duckdb")
    path = publish_marts(con, tmp_path / "published")
    assert path.name == "snapshot-1.json"
    assert (tmp_path / "published" / "CURRENT").read_text() == "snapshot-1.json\n"
    reader = open_published(tmp_path / "published")
    tables = {f"{s}.{t}" for s, t in reader.execute(
        "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert tables == {"dm.customer_month", "dm.staff_month", "dm.branch_month", "dm.staff_day", "dm.branch_day",
                      "dm.periods", "dm.build_info", "dw.customers_current", "dw.branches", "dw.securities", "dw.trading_days",
                      "dw.calendar", "dw.fact_assets", "dw.fact_positions", "dw.fact_trades", "dw.fact_cash_flows",
                      "dw.fact_security_transfers", "dw.staff_attribution", "dw.branch_attribution"}
    assert reader.execute("SELECT avg_daily_assets FROM dm.staff_month WHERE key = 'S0002' AND period = '2026-03'"
                          ).fetchone()[0] == con.execute("SELECT avg_daily_assets FROM dm.staff_month WHERE key = 'S0002' "
                                                         "AND period = '2026-03'").fetchone()[0]


def test_publish_keeps_the_previous_snapshot_and_deletes_older_ones(tmp_path, monkeypatch):
    """Past the readers' grace period, after three full publishes snapshots 2 and 3 remain with exactly the files they
    name; no partial file is left behind."""
    monkeypatch.setattr(publish, "READER_GRACE_SECONDS", 0)
    con = _warehouse(":memory:")
    for _ in range(3):
        publish_marts(con, tmp_path, full=True)
    assert sorted(p for p in os.listdir(tmp_path) if p != "lake") == ["CURRENT", "snapshot-2.json", "snapshot-3.json"]
    named = {f["path"] for n in (2, 3) for t in json.loads((tmp_path / f"snapshot-{n}.json").read_text())["tables"].values()
             for f in t["files"]}
    assert {p.relative_to(tmp_path).as_posix() for p in (tmp_path / "lake").rglob("*") if p.is_file()} == named


def test_a_reader_keeps_its_snapshot_while_a_load_publishes_a_new_one(tmp_path):
    """A connection opened before a publish still reads its data; the next open sees the new snapshot."""
    con = _warehouse(":memory:")
    publish_marts(con, tmp_path)
    before = open_published(tmp_path)
    con.execute("DELETE FROM dm.branch_month")
    publish_marts(con, tmp_path, full=True)
    publish_marts(con, tmp_path, full=True)
    assert before.execute("SELECT count(*) FROM dm.branch_month").fetchone()[0] == 5
    assert open_published(tmp_path).execute("SELECT count(*) FROM dm.branch_month").fetchone()[0] == 0


def test_the_warehouse_being_written_does_not_stop_readers_of_the_snapshot(tmp_path):
    """The writer holds the warehouse file open; the published snapshot still opens read-only."""
    con = _warehouse(tmp_path / "warehouse.duckdb")
    publish_marts(con, tmp_path / "published")
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM dm.staff_month")
    reader = open_published(tmp_path / "published")
    assert reader.execute("SELECT count(*) FROM dm.staff_month").fetchone()[0] == 7
    con.execute("ROLLBACK")


def test_opening_before_anything_is_published_says_so(tmp_path):
    """No CURRENT yet: a message fit to show, not a DuckDB error."""
    with pytest.raises(DomainError, match="no indicators are published yet"):
        open_published(tmp_path)


def test_the_snapshot_carries_the_attributed_facts_as_tables_ordered_by_customer(tmp_path):
    """Every published fact equals the warehouse's (staff_no and branch_code included), each Parquet file in customer order."""
    con = _warehouse(tmp_path / "warehouse.duckdb")
    manifest = json.loads(publish_marts(con, tmp_path / "published").read_text())
    reader = open_published(tmp_path / "published")
    for table, order in PUBLISHED_FACTS.items():
        for file in manifest["tables"][table]["files"]:
            path = str(tmp_path / "published" / file["path"])
            assert reader.execute(f"SELECT * FROM read_parquet('{path}')").fetchall() == reader.execute(
                f"SELECT * FROM read_parquet('{path}') ORDER BY {order}").fetchall()
        assert sorted(reader.execute(f"SELECT * FROM {table}").fetchall(), key=repr) == sorted(
            con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    columns = {c for (c,) in reader.execute("SELECT column_name FROM information_schema.columns "
                                            "WHERE table_name = 'fact_trades'").fetchall()}
    assert {"staff_no", "branch_code", "customer_no", "trade_date"} <= columns
    assert reader.execute("SELECT count(*) FROM dw.fact_assets WHERE staff_no IS NOT NULL").fetchone()[0] == con.execute(
        "SELECT count(*) FROM dw.fact_assets WHERE staff_no IS NOT NULL").fetchone()[0] > 0


def test_the_lake_is_plain_parquet_with_decimal_money_and_date_dates(tmp_path):
    """Every published column keeps its type in plain Parquet (money DECIMAL, dates DATE, counts INT32/INT64), nothing
    DuckDB-only and no money as floating point: pyarrow, as Spark and Polars do, reads the files back as the warehouse
    holds them."""
    import pyarrow.parquet as pq

    con = _warehouse(":memory:")
    manifest = json.loads(publish_marts(con, tmp_path).read_text())
    for table, entry in manifest["tables"].items():
        schema, name = table.split(".")
        declared = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                    "WHERE table_schema = ? AND table_name = ?", [schema, name]).fetchall())
        for file in entry["files"]:
            arrow = pq.read_schema(tmp_path / file["path"])
            for column, kind in declared.items():
                written = str(arrow.field(column).type)
                expected = {"VARCHAR": "string", "DATE": "date32[day]", "BIGINT": "int64", "INTEGER": "int32",
                            "BOOLEAN": "bool"}.get(kind)
                if kind.startswith("DECIMAL"):
                    expected = "decimal128" + kind[len("DECIMAL"):].replace(",", ", ")
                elif kind.startswith("TIMESTAMP"):
                    expected = written if written.startswith("timestamp[us") else "timestamp[us]"
                assert written == expected, (table, column, kind, written)
