"""Half-open validity intervals [start, end) with end NULL = open: the one "in force on a day" rule.

Relations, customer versions and anything else dated by start_date/end_date use it, on the ORM and in Python.
"""
import datetime as dt

from django.db.models import Q


def in_force_q(day: dt.date, prefix: str = "") -> Q:
    """Rows in force on day: start_date ≤ day < end_date (end_date NULL = open); prefix is the path to the row."""
    return Q(**{f"{prefix}start_date__lte": day}) & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day}))


def overlapping_q(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """Rows in force on some day of [first, last]: start_date ≤ last and (end_date NULL or end_date > first)."""
    return Q(**{f"{prefix}start_date__lte": last}) & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": first}))


def in_force(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day < end)
