"""What other apps may use of the data center: plain values in and out."""
import datetime as dt

from brokercrm.datacenter import calendar
from brokercrm.datacenter.calendar import CalendarWarning, CalendarYearUnknown, TradingCalendar  # noqa: F401
from brokercrm.datacenter.jobs import crm_changed as refresh_attribution  # noqa: F401
from brokercrm.datacenter.jobs import register_downstream  # noqa: F401
from brokercrm.datacenter.selectors import latest_loaded_date  # noqa: F401,E402
from brokercrm.datacenter.management.commands.export import register_export  # noqa: F401,E402


def trading_calendar() -> TradingCalendar:
    """The calendar as now, a frozen snapshot: for callers asking many dates at once."""
    return calendar.current()


def trading_days(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The XSHG trading days in [start, end]; CalendarYearUnknown when a year in it has no imported closures."""
    return calendar.current().trading_days(start, end)


def is_trading_day(day: dt.date, *, provisional: bool = False) -> bool:
    """`provisional`: in a year whose closures are not imported yet, count weekdays (due dates, never loads)."""
    return calendar.current().is_trading_day(day, provisional=provisional)


def next_trading_day(day: dt.date, *, provisional: bool = False) -> dt.date:
    return calendar.current().next_trading_day(day, provisional=provisional)


def add_trading_days(day: dt.date, count: int, *, provisional: bool = False) -> dt.date:
    return calendar.current().add_trading_days(day, count, provisional=provisional)


def trading_day_on_or_before(day: dt.date, *, provisional: bool = False) -> dt.date:
    return calendar.current().trading_day_on_or_before(day, provisional=provisional)


def last_known_trading_day() -> dt.date:
    return calendar.current().last_known_trading_day()


def calendar_warning(today: dt.date | None = None) -> CalendarWarning | None:
    """Set from 30 days before the last known trading day when next year's closures are missing."""
    return calendar.calendar_warning(today)
