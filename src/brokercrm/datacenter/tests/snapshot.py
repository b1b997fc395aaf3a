"""Published snapshots for tests: every table the data center publishes, with its real columns, holding the given rows."""
from __future__ import annotations

from pathlib import Path

import duckdb

from brokercrm.datacenter import warehouse
from brokercrm.datacenter.pipelines.crm import ingest_crm
from brokercrm.datacenter.pipelines.dm import build_marts
from brokercrm.datacenter.pipelines.dw import build_dw
from brokercrm.datacenter.pipelines.ods import ensure_ods_schema
from brokercrm.datacenter.pipelines.publish import publish_marts


def write_snapshot(directory: Path, tables: dict[str, list[dict]]) -> Path:
    """Publish an empty warehouse into `directory` (a new marts-<n>.duckdb made CURRENT), then insert the rows.

    tables: "dm.customer_month" → rows as {column: value}; columns a row leaves out are NULL.
    """
    con = warehouse.connect(":memory:")
    try:
        ensure_ods_schema(con)
        ingest_crm(con, staff=[], development_relations=[])
        build_dw(con)
        build_marts(con)
        path = publish_marts(con, Path(directory))
    finally:
        con.close()
    con = duckdb.connect(str(path))
    try:
        for table, rows in tables.items():
            for row in rows:
                con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    finally:
        con.close()
    return path
