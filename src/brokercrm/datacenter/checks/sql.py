"""Small helpers to write the checks' SQL: literals, identifiers, the problem sink."""
from __future__ import annotations

from datetime import date

import duckdb

PROBLEMS = "vd_problems"
PROBLEM_COLUMNS = "tbl VARCHAR, file VARCHAR, line INTEGER, col VARCHAR, message VARCHAR, rule VARCHAR"


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def date_lit(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def raw(column: str) -> str:
    """The staged column holding a field exactly as delivered (NULL when empty)."""
    return ident(f"{column}__s")


def human_format(fmt: str) -> str:
    """'%Y-%m-%d' -> 'YYYY-MM-DD', for messages."""
    return fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")


def reset_problems(con: duckdb.DuckDBPyConnection, name: str = PROBLEMS) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({PROBLEM_COLUMNS})")


def record_many(con: duckdb.DuckDBPyConnection, items: list[tuple[str, str, str, str]], *, sink: str = PROBLEMS) -> None:
    """One INSERT for many (select, tbl, file, rule): a statement costs more than a small scan."""
    if not items:
        return
    union = " UNION ALL ".join(
        f"SELECT {lit(tbl)}, {lit(file)}, CAST(line AS INTEGER), CAST(col AS VARCHAR), CAST(message AS VARCHAR), "
        f"{lit(rule)} FROM ({select})"
        for select, tbl, file, rule in items
    )
    con.execute(f"INSERT INTO {sink} {union}")
