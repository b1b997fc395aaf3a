"""The Shanghai Stock Exchange (XSHG) trading calendar, from exchange_calendars."""
from datetime import date
from functools import lru_cache

import duckdb


@lru_cache(maxsize=1)
def xshg_sessions() -> tuple[date, ...]:
    """Every XSHG session the calendar package knows, oldest first."""
    import warnings

    import exchange_calendars

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package's own pandas deprecations, not ours to fix
        calendar = exchange_calendars.get_calendar("XSHG", start="1990-12-19")
        return tuple(ts.date() for ts in calendar.sessions)


def coverage() -> tuple[date, date]:
    sessions = xshg_sessions()
    return sessions[0], sessions[-1]


def is_session(day: date) -> bool:
    return day in _session_set()


@lru_cache(maxsize=1)
def _session_set() -> frozenset[date]:
    return frozenset(xshg_sessions())


def previous_session(day: date) -> date | None:
    """The last session strictly before `day`, or None before the calendar's start."""
    import bisect

    sessions = xshg_sessions()
    index = bisect.bisect_left(sessions, day)
    return sessions[index - 1] if index > 0 else None


def register_sessions(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp table vd_sessions(d DATE) once per connection."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'vd_sessions'"
    ).fetchone()[0]
    if exists:
        return
    con.execute("CREATE TEMP TABLE vd_sessions AS SELECT unnest(CAST(? AS DATE[])) AS d", [list(xshg_sessions())])
