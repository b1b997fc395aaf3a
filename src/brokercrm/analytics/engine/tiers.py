"""Value tiers with hysteresis (价值分层): upgrade at once, downgrade after N months below the tier held.

`tier_sequence` is the rule over one customer's months, in plain data; `tier_matrix` is the same rule
for many customers at once (numpy, one step per month), used by the job. Tests hold them equal.
"""
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class TierRule:
    code: str
    threshold: Decimal


def ordered(tiers: Sequence[TierRule]) -> list[TierRule]:
    """Lowest threshold first: a tier's index is its rank."""
    return sorted(tiers, key=lambda t: t.threshold)


def qualifying_index(value: Decimal, tiers: Sequence[TierRule]) -> int:
    """Index (in `ordered` order) of the highest tier whose threshold the value reaches; the lowest tier otherwise."""
    index = 0
    for i, tier in enumerate(ordered(tiers)):
        if value >= tier.threshold:
            index = i
    return index


def tier_sequence(values: Sequence[Decimal | None], tiers: Sequence[TierRule], *, downgrade_months: int = 3,
                  pins: Sequence[str | None] | None = None) -> list[str | None]:
    """The tier of each month from that month's average daily assets (None = no row that month: no tier, state kept).

    - first month: the tier the value qualifies for;
    - a value qualifying for a higher tier than the one held: that tier at once;
    - the value below the held tier in each of the last `downgrade_months` months (this one included):
      the tier this month's value qualifies for;
    - otherwise the held tier; a pin (code) for the month overrides all of this and becomes the held tier.
    """
    rules = ordered(tiers)
    rank = {t.code: i for i, t in enumerate(rules)}
    qualified = [None if v is None else qualifying_index(v, rules) for v in values]
    held: int | None = None
    result: list[str | None] = []
    for m, q in enumerate(qualified):
        if q is None:
            result.append(None)
            continue
        pin = pins[m] if pins else None
        window = qualified[m - downgrade_months + 1:m + 1] if m + 1 >= downgrade_months else []
        if pin is not None:
            t = rank[pin]
        elif held is None or q > held:
            t = q
        elif window and all(w is not None and w < held for w in window):
            t = q
        else:
            t = held
        held = t
        result.append(rules[t].code)
    return result


def threshold_cents(tiers: Sequence[TierRule]) -> np.ndarray:
    return np.array([int(t.threshold * 100) for t in ordered(tiers)], dtype=np.int64)


def qualifying_matrix(cents: np.ndarray, tiers: Sequence[TierRule]) -> np.ndarray:
    """Qualifying tier index of every cell of a matrix of average daily assets in cents."""
    index = np.searchsorted(threshold_cents(tiers), cents, side="right") - 1
    return np.maximum(index, 0).astype(np.int8)


def tier_matrix(cents: np.ndarray, present: np.ndarray, tiers: Sequence[TierRule], *, downgrade_months: int = 3,
                pins: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """customers × months: (tier index after hysteresis, -1 where absent; qualifying tier index)."""
    qualified = qualifying_matrix(cents, tiers)
    n, months = cents.shape
    held = np.full(n, -1, dtype=np.int8)
    result = np.full((n, months), -1, dtype=np.int8)
    for m in range(months):
        q = qualified[:, m]
        if m + 1 >= downgrade_months:
            below = np.ones(n, dtype=bool)
            for k in range(m - downgrade_months + 1, m + 1):
                below &= present[:, k] & (qualified[:, k] < held)
        else:
            below = np.zeros(n, dtype=bool)
        t = np.where((held < 0) | (q > held) | below, q, held)
        if pins is not None:
            t = np.where(pins[:, m] >= 0, pins[:, m], t)
        t = np.where(present[:, m], t, held).astype(np.int8)
        result[:, m] = np.where(present[:, m], t, -1)
        held = t
    return result, qualified
