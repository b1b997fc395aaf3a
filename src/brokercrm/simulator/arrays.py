"""Vectorised helpers: exact integer money, half-up division, and Arrow columns for CSV output."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Columns = dict  # name -> numpy array or pyarrow array, all of one length


def div_half_up(numerator: np.ndarray, denominator: int | np.ndarray) -> np.ndarray:
    """numerator / denominator rounded half-up (ties away from zero), in int64 arithmetic."""
    numerator = np.asarray(numerator, dtype=np.int64)
    magnitude = (np.abs(numerator) * 2 + denominator) // (2 * np.asarray(denominator, dtype=np.int64))
    return np.where(numerator < 0, -magnitude, magnitude)


def scaled(amount: np.ndarray, rate_e7: int | np.ndarray) -> np.ndarray:
    """amount × rate (rate given in units of 1e-7), rounded half-up to the unit of amount."""
    return div_half_up(np.asarray(amount, dtype=np.int64) * rate_e7, 10_000_000)


def value_cents(quantity: np.ndarray, price_mills: np.ndarray) -> np.ndarray:
    """quantity × price (price in 0.001) rounded half-up to 0.01."""
    return div_half_up(np.asarray(quantity, dtype=np.int64) * np.asarray(price_mills, dtype=np.int64), 10)


def _decimal(values: np.ndarray, scale: int) -> pa.Array:
    values = np.ascontiguousarray(values, dtype=np.int64)
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63  # two's-complement sign extension to 128 bits
    return pa.Array.from_buffers(pa.decimal128(18, scale), len(values), [None, pa.py_buffer(words)])


def money(cents: np.ndarray) -> pa.Array:
    """Integer cents as an exact decimal column (written as 1234.50)."""
    return _decimal(cents, 2)


def price(mills: np.ndarray) -> pa.Array:
    """Integer thousandths as an exact decimal column (written as 12.340)."""
    return _decimal(mills, 3)


def dates(days: np.ndarray) -> pa.Array:
    """Day numbers as a date column; negative numbers are NULL."""
    days = np.asarray(days, dtype=np.int32)
    return pa.array(days, type=pa.int32(), mask=days < 0).cast(pa.date32())


def constant_date(day: int, length: int) -> pa.Array:
    return dates(np.full(length, day, dtype=np.int32))


def digits(values: np.ndarray, width: int, prefix: str = "") -> pa.Array:
    """Integers as zero-padded strings (`000001`), optionally prefixed."""
    text = pc.utf8_lpad(pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "") if prefix else text


def pick(pool: list[str] | pa.Array, index: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    """pool[index] as a string column; NULL where null_mask is true."""
    pool = pool if isinstance(pool, pa.Array) else pa.array(pool, type=pa.string())
    mask = None if null_mask is None else np.asarray(null_mask, dtype=bool)
    return pool.take(pa.array(np.asarray(index, dtype=np.int64), mask=mask))


def join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate string columns (and literals) element-wise; a NULL part makes the result NULL."""
    return pc.binary_join_element_wise(*parts, "")


def null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.nulls(len(values), values.type), values)


def concat(left: Columns, right: Columns) -> Columns:
    """Row-wise concatenation of two column sets with the same names."""
    out = {}
    for name, column in left.items():
        other = right[name]
        if isinstance(column, pa.Array):
            out[name] = pa.concat_arrays([column, other.cast(column.type)])
        else:
            out[name] = np.concatenate([column, np.asarray(other, dtype=column.dtype)])
    return out


def group_starts(sorted_groups: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if len(sorted_groups) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])


def group_sum(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sum of values per group id in [0, size) (groups need not be sorted)."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, groups, np.asarray(values, dtype=np.int64))
    return out


def cumsum_within(groups_sorted: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running sum of values restarting at each new group (rows sorted by group)."""
    total = np.cumsum(values, dtype=np.int64)
    if len(values) == 0:
        return total
    starts = group_starts(groups_sorted)
    lengths = np.diff(np.r_[starts, len(values)])
    return total - np.repeat(np.r_[0, total[starts[1:] - 1]], lengths)
