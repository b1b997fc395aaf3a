"""Half-open date intervals [start, end) with end None = open: the pure rules of relations."""
import datetime as dt
from typing import Iterable, TypeVar

T = TypeVar("T")


def overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def first_overlap(items: Iterable[tuple[dt.date, dt.date | None, T]]) -> tuple[T, T] | None:
    """The first pair of overlapping intervals in start order, or None when they are disjoint.

    Sorted by start, an interval overlaps an earlier one exactly when it starts before the latest
    end seen so far, so one pass with the interval reaching furthest suffices.
    """
    furthest: tuple[dt.date | None, T] | None = None
    for start, end, item in sorted(items, key=lambda x: x[0]):
        if furthest is not None and (furthest[0] is None or start < furthest[0]):
            return furthest[1], item
        if furthest is None or (furthest[0] is not None and (end is None or end > furthest[0])):
            furthest = (end, item)
    return None
