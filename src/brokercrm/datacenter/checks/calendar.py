"""The trading calendar as validation reads it: the platform's one calendar, its sessions as a DuckDB table."""
from collections.abc import Sequence
from datetime import date

import duckdb

from brokercrm.datacenter import calendar


def register_sessions(con: duckdb.DuckDBPyConnection, sessions: Sequence[date] | None = None) -> None:
    """Create the temp table vd_sessions(d DATE) once per connection (one load run sees one calendar).

    A staging thread passes the `sessions` its pipeline read: the calendar lives in the app database,
    which only the thread that opened the run may query."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'vd_sessions'"
    ).fetchone()[0]
    if exists:
        return
    con.execute("CREATE TEMP TABLE vd_sessions AS SELECT unnest(CAST(? AS DATE[])) AS d", [list(calendar.current().sessions if sessions is None else sessions)])
