"""The platform's one trading calendar (交易日历) of the Shanghai Stock Exchange (XSHG).

Years the `exchange_calendars` package lists holidays for come from the package; a later year is
known only once its closures (休市安排, announced each December) were imported, and is then every
weekday minus those closures. Every reader of trading days (validation, ingest, the marts, alerts,
visits, the scheduler) goes through `current()`, so an import changes them all at once.
"""
import bisect
import datetime as dt
import warnings
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone

from brokercrm.core.errors import InputRejected, Problem
from brokercrm.datacenter.models import CalendarYear, MarketClosure

FIRST_SESSION = dt.date(1990, 12, 19)  # the Shanghai exchange opened
IMPORT_COMMAND = "brokercrm calendar import FILE.csv"
WARNING_DAYS = 30

SOURCE_PACKAGE = "package"
SOURCE_IMPORTED = "imported"
SOURCE_UNKNOWN = "unknown"


class CalendarYearUnknown(InputRejected):
    """A date falls in a year whose closures were not imported; the message names the year and the fix."""

    def __init__(self, year: int, *, day: dt.date | None = None, file: str = ""):
        self.year = year
        subject = f"{day.isoformat()} is in {year}" if day else f"{year}"
        super().__init__([Problem(
            f"{subject}: the exchange closures of {year} are not known; import them with `{IMPORT_COMMAND}` "
            f"(or on the Trading calendar page)", file=file)])


@lru_cache(maxsize=1)
def package_calendar() -> tuple[tuple[dt.date, ...], int, str]:
    """The package's sessions, the last year it lists holidays for, and its name and version."""
    # Imported here, once: the package takes about a second to load and most commands never need it.
    import exchange_calendars
    from exchange_calendars.exchange_calendar_xshg import XSHGExchangeCalendar

    # Beyond its last listed year the package would call every weekday a session: coverage ends on 31 December.
    last_year = XSHGExchangeCalendar.precomputed_holidays().max().year
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package's own pandas deprecations, not ours to fix
        calendar = exchange_calendars.get_calendar("XSHG", start=FIRST_SESSION.isoformat(), end=f"{last_year}-12-31")
        sessions = tuple(ts.date() for ts in calendar.sessions)
    return sessions, last_year, f"exchange_calendars {exchange_calendars.__version__}"


def weekdays(year: int) -> list[dt.date]:
    day, end, out = dt.date(year, 1, 1), dt.date(year, 12, 31), []
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class YearView:
    """One year as the calendar sees it: where it comes from, its trading days and its closures with reasons."""

    year: int
    source: str  # SOURCE_PACKAGE, SOURCE_IMPORTED or SOURCE_UNKNOWN
    origin: str  # the package and version, or the imported file and when
    trading_days: tuple[dt.date, ...]
    closures: tuple[tuple[dt.date, str], ...]


@dataclass(frozen=True)
class CalendarWarning:
    """Next year's closures are missing and the last known trading day is near (or past)."""

    missing_year: int
    last_known_day: dt.date
    days_left: int

    def __str__(self) -> str:
        when = (f"in {self.days_left} days" if self.days_left > 0 else "today" if self.days_left == 0
                else f"{-self.days_left} days ago")
        return (f"the exchange closures of {self.missing_year} are not imported: the calendar ends on "
                f"{self.last_known_day.isoformat()} ({when}) and every later load is refused; "
                f"import them with `{IMPORT_COMMAND}`")


@dataclass(frozen=True)
class TradingCalendar:
    """The calendar at one moment: package years, imported years and their closures."""

    sessions: tuple[dt.date, ...]
    package_last_year: int
    package_name: str
    imported: dict[int, tuple[str, dt.datetime]]  # year → (source file, imported at)
    closures: dict[dt.date, str]  # imported closures → reason

    def source(self, year: int) -> str:
        if year <= self.package_last_year:
            return SOURCE_PACKAGE
        return SOURCE_IMPORTED if year in self.imported else SOURCE_UNKNOWN

    def known(self, year: int) -> bool:
        return self.source(year) != SOURCE_UNKNOWN

    def require_known(self, first: dt.date, last: dt.date | None = None) -> None:
        """Raise CalendarYearUnknown for the first year of [first, last] whose closures are unknown."""
        for year in range(first.year, (last or first).year + 1):
            if not self.known(year):
                raise CalendarYearUnknown(year, day=first if year == first.year else dt.date(year, 1, 1))

    def is_trading_day(self, day: dt.date, *, provisional: bool = False) -> bool:
        """Strict by default; `provisional` counts an unknown year's weekdays (for due dates, never for loads)."""
        if not self.known(day.year):
            if provisional:
                return day.weekday() < 5
            self.require_known(day)
        return self._index(day) < len(self.sessions) and self.sessions[self._index(day)] == day

    def trading_days(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """The trading days in [start, end]; refused when a year in it is unknown."""
        if end < start:
            return ()
        self.require_known(start, end)
        return self.sessions[self._index(start):bisect.bisect_right(self.sessions, end)]

    def next_trading_day(self, day: dt.date, *, provisional: bool = False) -> dt.date:
        candidate = day + dt.timedelta(days=1)
        while not self.is_trading_day(candidate, provisional=provisional):
            candidate += dt.timedelta(days=1)
        return candidate

    def previous_trading_day(self, day: dt.date, *, provisional: bool = False) -> dt.date:
        candidate = day - dt.timedelta(days=1)
        while not self.is_trading_day(candidate, provisional=provisional):
            candidate -= dt.timedelta(days=1)
        return candidate

    def add_trading_days(self, day: dt.date, count: int, *, provisional: bool = False) -> dt.date:
        """The `count`-th trading day after `day` (before it when negative)."""
        step = self.next_trading_day if count >= 0 else self.previous_trading_day
        for _ in range(abs(count)):
            day = step(day, provisional=provisional)
        return day

    def trading_day_on_or_before(self, day: dt.date, *, provisional: bool = False) -> dt.date:
        return day if self.is_trading_day(day, provisional=provisional) else self.previous_trading_day(day, provisional=provisional)

    def previous_session(self, day: dt.date) -> dt.date | None:
        """The last trading day of a known year strictly before `day`, or None before the exchange opened."""
        index = self._index(day)
        return self.sessions[index - 1] if index > 0 else None

    def last_known_trading_day(self) -> dt.date:
        """The last trading day before the first unknown year: where every load stops."""
        year = self.package_last_year
        while self.known(year + 1):
            year += 1
        return self.sessions[bisect.bisect_right(self.sessions, dt.date(year, 12, 31)) - 1]

    def warning(self, today: dt.date) -> CalendarWarning | None:
        """From WARNING_DAYS before the last known trading day on, the missing year is announced."""
        last = self.last_known_trading_day()
        if (last - today).days > WARNING_DAYS:
            return None
        return CalendarWarning(missing_year=last.year + 1, last_known_day=last, days_left=(last - today).days)

    def year_view(self, year: int) -> YearView:
        source = self.source(year)
        if source == SOURCE_UNKNOWN:
            return YearView(year, source, "", (), ())
        days = self.trading_days(max(dt.date(year, 1, 1), FIRST_SESSION), dt.date(year, 12, 31))
        open_days = set(days)
        closed = [d for d in weekdays(year) if d not in open_days and d >= FIRST_SESSION]
        if source == SOURCE_PACKAGE:
            return YearView(year, source, self.package_name, days, tuple((d, "") for d in closed))
        file, at = self.imported[year]
        origin = f"{file} ({timezone.localtime(at):%Y-%m-%d %H:%M})" if file else f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
        return YearView(year, source, origin, days, tuple((d, self.closures.get(d, "")) for d in closed))

    def _index(self, day: dt.date) -> int:
        return bisect.bisect_left(self.sessions, day)


def package_closures(year: int) -> set[dt.date]:
    """The weekdays of a package year that are no session."""
    sessions, _, _ = package_calendar()
    lo, hi = bisect.bisect_left(sessions, dt.date(year, 1, 1)), bisect.bisect_right(sessions, dt.date(year, 12, 31))
    return set(weekdays(year)) - set(sessions[lo:hi])


def current() -> TradingCalendar:
    """The calendar with every import so far (two small queries; built once per distinct content)."""
    years = tuple(CalendarYear.objects.order_by("year").values_list("year", "source_file", "imported_at"))
    closures = tuple(MarketClosure.objects.order_by("date").values_list("date", "reason"))
    return _build(years, closures)


@lru_cache(maxsize=8)
def _build(years: tuple, closures: tuple) -> TradingCalendar:
    sessions, last_year, name = package_calendar()
    closed = {d for d, _ in closures}
    extra = [d for year, _, _ in years if year > last_year for d in weekdays(year) if d not in closed]
    return TradingCalendar(sessions=tuple(sorted((*sessions, *extra))), package_last_year=last_year, package_name=name,
                           imported={y: (f, at) for y, f, at in years}, closures=dict(closures))


def calendar_warning(today: dt.date | None = None) -> CalendarWarning | None:
    return current().warning(today or timezone.localdate())
