"""RFM quintile scores (recency, frequency, monetary) with deterministic ties.

Customers without a trade in the window score 0 on all three; the others are ranked among themselves.
A score is the quintile where the customer's block of equal values ends: with k the number of ranked
customers whose value is ≤ theirs and n all ranked customers, score = ceil(5·k / n) (integer arithmetic).
So equal values always score the same, a larger value never scores lower, and the best value scores 5.
Recency is ranked on "months since the last trade" reversed (more recent scores higher).
"""
from typing import Sequence

import numpy as np


def quintiles(values: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Scores 1–5 for eligible entries (higher value → higher score), 0 for the others."""
    values = np.asarray(values, dtype=np.int64)
    eligible = np.asarray(eligible, dtype=bool)
    scores = np.zeros(len(values), dtype=np.int8)
    ranked = np.sort(values[eligible])
    n = len(ranked)
    if n:
        k = np.searchsorted(ranked, values[eligible], side="right").astype(np.int64)
        scores[eligible] = (5 * k + n - 1) // n
    return scores


def rfm_scores(months_since_trade: Sequence[int], active_days: Sequence[int], net_commission_cents: Sequence[int],
               traded: Sequence[bool]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(R, F, M) for one month's customers; `traded` = at least one trade in the window."""
    traded = np.asarray(traded, dtype=bool)
    r = quintiles(-np.asarray(months_since_trade, dtype=np.int64), traded)
    f = quintiles(np.asarray(active_days, dtype=np.int64), traded)
    m = quintiles(np.asarray(net_commission_cents, dtype=np.int64), traded)
    return r, f, m
