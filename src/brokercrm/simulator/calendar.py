"""Shanghai Stock Exchange (XSHG) trading days from exchange_calendars, within its known coverage."""
import warnings
from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd

from brokercrm.simulator.errors import SimulationError

EPOCH = date(1970, 1, 1)


def day_number(value: date) -> int:
    """Days since 1970-01-01: the simulator's integer date."""
    return (value - EPOCH).days


def to_date(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


@cache
def _sessions() -> tuple[np.ndarray, date, date]:
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
            f"({first.isoformat()} … {last.isoformat()}); the exchange's closures for that year are not known"
        )
    index = int(np.searchsorted(days, day_number(start)))
    if index + count > len(days):
        available = len(days) - index
        raise SimulationError(
            f"{count} trading days from {start.isoformat()} run beyond the XSHG calendar's coverage "
            f"(it ends {last.isoformat()}; only {available} trading days remain)"
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
