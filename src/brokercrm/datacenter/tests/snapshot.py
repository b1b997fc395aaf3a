"""Published snapshots for tests: every table the data center publishes, with its real columns, holding the given rows."""
from __future__ import annotations

from pathlib import Path

from brokercrm.datacenter import warehouse
from brokercrm.datacenter.pipelines.crm import ingest_crm
from brokercrm.datacenter.pipelines.dm import build_marts
from brokercrm.datacenter.pipelines.dw import build_dw
from brokercrm.datacenter.pipelines.ods import ensure_ods_schema
from brokercrm.datacenter.pipelines.publish import PUBLISHED_TABLES, open_snapshot, publish_marts

__all__ = ["open_snapshot", "write_snapshot"]


def write_snapshot(directory: Path, tables: dict[str, list[dict]]) -> Path:
    """Publish an empty warehouse holding the rows into `directory` (a new snapshot-<n>.json made CURRENT).

    tables: "dm.customer_month" → rows as {column: value}; columns a row leaves out are NULL. The published views of
    the warehouse (dw.customers_current, dw.fact_positions) are tables there so that rows can go straight in.
    """
    con = empty_published_warehouse()
    try:
        for table, rows in tables.items():
            for row in rows:
                con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        return publish_marts(con, Path(directory), full=True)
    finally:
        con.close()


def empty_published_warehouse():
    """An in-memory warehouse with every published table empty, each a table (the published views made tables)."""
    con = warehouse.connect(":memory:")
    try:
        ensure_ods_schema(con)
        ingest_crm(con, staff=[], development_relations=[])
        build_dw(con)
        build_marts(con)
        for table in PUBLISHED_TABLES:
            schema, name = table.split(".")
            kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                               [schema, name]).fetchone()[0]
            if kind == "VIEW":
                con.execute(f"CREATE TABLE {schema}._copy AS SELECT * FROM {table}")
                con.execute(f"DROP VIEW {table}")
                con.execute(f"ALTER TABLE {schema}._copy RENAME TO {name}")
    except BaseException:
        con.close()
        raise
    return con
