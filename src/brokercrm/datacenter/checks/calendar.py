"""The trading calendar as validation reads it: the platform's one calendar, its sessions as a DuckDB table."""
import duckdb

from brokercrm.datacenter import calendar


def register_sessions(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp table vd_sessions(d DATE) once per connection (one load run sees one calendar)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'vd_sessions'"
    ).fetchone()[0]
    if exists:
        return
    con.execute("CREATE TEMP TABLE vd_sessions AS SELECT unnest(CAST(? AS DATE[])) AS d", [list(calendar.current().sessions)])
