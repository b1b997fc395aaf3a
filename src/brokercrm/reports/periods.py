"""Report periods as people write them (`2026-03`, `2026-Q1`, `2026`, `2026-03-05`, `2026-03-01..2026-03-15`) and the
periods a report compares with (the previous one of the same length, the same one a year earlier)."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from brokercrm.core.errors import DomainError

COMPARISONS = ("previous", "last_year")
KINDS = ("day", "month", "quarter", "year", "range")


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_in(date_from: dt.date, date_to: dt.date) -> list[str]:
    """The months (YYYY-MM) a date range touches, in order."""
    months, day = [], date_from.replace(day=1)
    while day <= date_to:
        months.append(f"{day:%Y-%m}")
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def parse_period(text: str, *, field: str = "period") -> ReportPeriod:
    """The period P names; DomainError naming the field and the text otherwise."""
    text = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}", text):
            start, end = dt.date.fromisoformat(text[:10]), dt.date.fromisoformat(text[12:])
            if start > end:
                raise ValueError
            return ReportPeriod("range", start, end)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.date.fromisoformat(text)
            return ReportPeriod("day", day, day)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            return ReportPeriod("month", dt.date(year, month, 1), _month_end(year, month))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            year, quarter = int(m[1]), int(m[2])
            return ReportPeriod("quarter", dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
        if re.fullmatch(r"\d{4}", text):
            return ReportPeriod("year", dt.date(int(text), 1, 1), dt.date(int(text), 12, 31))
    except ValueError:
        pass
    raise DomainError(f"{text!r} is not a period (YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD or D1..D2)", field=field)


def _shift_months(day: dt.date, months: int, *, end: bool) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return _month_end(year, month + 1) if end else dt.date(year, month + 1, min(day.day, _month_end(year, month + 1).day))


def compared_period(period: ReportPeriod, comparison: str) -> ReportPeriod:
    """The period compared with: `previous` = the one just before of the same kind, `last_year` = a year earlier."""
    months = {"month": 1, "quarter": 3, "year": 12}
    if comparison == "last_year":
        if period.kind in months:
            return ReportPeriod(period.kind, _shift_months(period.start, -12, end=False),
                                _shift_months(period.end, -12, end=True))
        return ReportPeriod(period.kind, _shift_months(period.start, -12, end=False), _shift_months(period.end, -12, end=False))
    if period.kind in months:
        step = months[period.kind]
        return ReportPeriod(period.kind, _shift_months(period.start, -step, end=False), _shift_months(period.end, -step, end=True))
    length = (period.end - period.start).days + 1
    return ReportPeriod(period.kind, period.start - dt.timedelta(days=length), period.end - dt.timedelta(days=length))


def current_period(kind: str, today: dt.date) -> ReportPeriod:
    """The period of the kind that contains `today` (a dashboard's "this month")."""
    if kind == "day":
        return ReportPeriod("day", today, today)
    if kind == "quarter":
        return parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    if kind == "year":
        return parse_period(str(today.year))
    return parse_period(f"{today:%Y-%m}")
