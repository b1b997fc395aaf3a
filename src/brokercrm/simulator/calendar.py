"""The trading system's own calendar: XSHG trading days from exchange_calendars, extended by closures files.

A year after the package's last is known once a closures file (header `date,reason`, one closed
weekday a line) names it; it is then every weekday minus those closures. `use_closures` sets the
years of one run; coverage ends at the first unknown year.
"""
import csv
import io
import re
import warnings
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from brokercrm.simulator.errors import SimulationError

EPOCH = date(1970, 1, 1)


def day_number(value: date) -> int:
    """Days since 1970-01-01: the simulator's integer date."""
    return (value - EPOCH).days


def to_date(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


_extra: tuple[tuple[int, tuple[date, ...]], ...] = ()  # (year, closures) beyond the package, for this run


@cache
def _package() -> tuple[np.ndarray, date, date]:
    import exchange_calendars as xcals
    from exchange_calendars.exchange_calendar_xshg import XSHGExchangeCalendar

    # The package hard-codes holidays per year; after the last listed year every weekday would
    # look like a session, so coverage ends on 31 December of that year.
    holidays = XSHGExchangeCalendar.precomputed_holidays()
    first = date(max(1999, pd.Timestamp(holidays.min()).year), 1, 1)
    last = date(pd.Timestamp(holidays.max()).year, 12, 31)
    with warnings.catch_warnings():  # exchange_calendars' own use of a pandas API deprecated in pandas 3.1
        warnings.simplefilter("ignore")
        calendar = xcals.get_calendar("XSHG", start=first.isoformat(), end=last.isoformat())
    days = (calendar.sessions.values.astype("datetime64[D]").astype(np.int64)).astype(np.int32)
    return days, first, last


@cache
def _extended(extra: tuple[tuple[int, tuple[date, ...]], ...]) -> tuple[np.ndarray, date, date]:
    days, first, last = _package()
    added = []
    for year, closed in extra:
        if year != last.year + 1:
            break  # a gap: the calendar ends at the first unknown year
        weekdays = np.array([day_number(d) for d in _weekdays(year)], dtype=np.int32)
        added.append(np.setdiff1d(weekdays, np.array([day_number(d) for d in closed], dtype=np.int32)))
        last = date(year, 12, 31)
    return np.concatenate([days, *added]) if added else days, first, last


def _weekdays(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [d for d in (first + timedelta(days=i) for i in range(366)) if d.year == year and d.weekday() < 5]


def _sessions() -> tuple[np.ndarray, date, date]:
    return _extended(_extra)


def use_closures(years: dict[int, set[date]]) -> None:
    """The closures of the years beyond the package for the runs that follow (empty: the package alone)."""
    global _extra
    _extra = tuple((year, tuple(sorted(years[year]))) for year in sorted(years))


def read_closures(paths: list[Path]) -> dict[int, set[date]]:
    """Closures files merged by year; every problem as FILE:LINE:COLUMN: message, in one SimulationError."""
    package, _, package_last = _package()
    problems: list[str] = []
    years: dict[int, set[date]] = {}
    seen: dict[date, str] = {}
    for path in paths:
        file_years, text = set(), _read_text(path, problems)
        if text is None:
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        if next(reader, None) != ["date", "reason"]:
            problems.append(f"{path}:1:: header must be exactly: date,reason")
            continue
        for record in reader:
            where = f"{path}:{reader.line_num}"
            if not record:
                continue
            if len(record) != 2:
                problems.append(f"{where}:: expected 2 fields, found {len(record)}")
                continue
            try:
                day = date.fromisoformat(record[0]) if len(record[0]) == 10 else None
            except ValueError:
                day = None
            if day is None:
                problems.append(f"{where}:date: '{record[0]}' is not a date (YYYY-MM-DD)")
            elif day in seen:
                problems.append(f"{where}:date: {day.isoformat()} is listed twice (first at {seen[day]})")
            elif day.weekday() >= 5:
                problems.append(f"{where}:date: {day.isoformat()} is a weekend day: weekends are never listed")
            else:
                seen[day] = where
                file_years.add(day.year)
                years.setdefault(day.year, set()).add(day)
        if not file_years:
            named = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.name)}
            if len(named) != 1:
                problems.append(f"{path}:1:: the file lists no closure and its name holds no single year")
            else:
                years.setdefault(named.pop(), set())
    for year in sorted(y for y in years if y <= package_last.year):
        open_days = {to_date(n) for n in package[(package >= day_number(date(year, 1, 1))) & (package <= day_number(date(year, 12, 31)))]}
        if years[year] != set(_weekdays(year)) - open_days:
            problems.append(f"{year} is covered by exchange_calendars; closures for it must agree with the package")
    if problems:
        raise SimulationError("\n".join(problems))
    return {y: c for y, c in years.items() if y > package_last.year}


def _read_text(path: Path, problems: list[str]) -> str | None:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        problems.append(f"{path}::: cannot be read ({error.strerror})")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.append(f"{path}:{line}:: not valid UTF-8")
        return None


def coverage() -> tuple[date, date]:
    """First and last date the XSHG calendar is known for."""
    _, first, last = _sessions()
    return first, last


def trading_days(start: date, count: int) -> np.ndarray:
    """`count` trading days (day numbers) from the first trading day on or after `start`."""
    if count < 1:
        raise SimulationError("--days must be at least 1")
    days, first, last = _sessions()
    if start < first or start > last:
        raise SimulationError(
            f"{start.isoformat()} is outside the XSHG calendar's coverage "
            f"({first.isoformat()} … {last.isoformat()}); the exchange's closures for that year are not known "
            f"(give them with --closures FILE.csv)"
        )
    index = int(np.searchsorted(days, day_number(start)))
    if index + count > len(days):
        available = len(days) - index
        raise SimulationError(
            f"{count} trading days from {start.isoformat()} run beyond the XSHG calendar's coverage "
            f"(it ends {last.isoformat()}; only {available} trading days remain; give the next year's closures "
            f"with --closures FILE.csv)"
        )
    return days[index : index + count]


def next_trading_day(day: int) -> int | None:
    """The trading day after `day`, or None beyond coverage."""
    days, _, _ = _sessions()
    index = int(np.searchsorted(days, day, side="right"))
    return int(days[index]) if index < len(days) else None


def trading_days_before(day: int, count: int | None = None) -> np.ndarray:
    """Trading days strictly before `day` (the last `count` of them when given)."""
    days, _, _ = _sessions()
    index = int(np.searchsorted(days, day))
    return days[:index] if count is None else days[max(0, index - count) : index]
