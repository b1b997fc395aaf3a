"""The fixed world at the start: branches (营业部) and the security universe (证券信息)."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from brokercrm.simulator import pools
from brokercrm.simulator.calendar import to_date
from brokercrm.simulator.arrays import Columns, digits, join, pick
from brokercrm.simulator.params import BJ, BOND, FUND, OF, REPO, SH, STOCK, SZ, WEALTH, WorldParams

YEAR = 365


def build_branches(rng: np.random.Generator, count: int, first_day: int) -> Columns:
    """Branches: a third in the home city (Shanghai), the rest one per other city in turn."""
    home = min(len(pools.CITIES[0][2]), max(1, count // 3))
    others = np.arange(count - home)
    city = np.r_[np.zeros(home, dtype=np.int64), 1 + others % (len(pools.CITIES) - 1)]
    rank = np.r_[np.arange(home), others // (len(pools.CITIES) - 1)]
    district_pool = [d for _, _, ds in pools.CITIES for d in ds]
    district_offset = np.cumsum([0] + [len(ds) for _, _, ds in pools.CITIES])[:-1]
    district_count = np.array([len(ds) for _, _, ds in pools.CITIES])
    has_district = rank < district_count[city]
    district = np.where(has_district, district_offset[city] + np.minimum(rank, district_count[city] - 1), 0)
    city_names = pick([c for c, _, _ in pools.CITIES], city)
    fallback = join(city_names, "第", pa.array((rank + 1).astype(str)))
    named = join(city_names, pick(district_pool, district), "营业部")
    name = pc.if_else(pa.array(has_district), named, join(fallback, "营业部"))
    opened = first_day - rng.integers(3 * YEAR, 30 * YEAR, count)
    opened[city == 0] = first_day - rng.integers(20 * YEAR, 30 * YEAR, int((city == 0).sum()))
    return {
        "code": join(digits(city + 1, 2), digits(rank + 1, 2)),
        "name": name,
        "city": city,
        "opened": opened.astype(np.int32),
        # Uneven branch sizes: customers and staff are spread by these weights.
        "weight": rng.pareto(1.5, count) + 0.5,
    }


def _unique_codes(rng: np.random.Generator, ranges: list[tuple[int, int]], count: int, taken: set[int]) -> np.ndarray:
    pool = np.concatenate([np.arange(a, b) for a, b in ranges])
    pool = pool[~np.isin(pool, np.fromiter(taken, dtype=np.int64, count=len(taken)))] if taken else pool
    return np.sort(rng.choice(pool, size=count, replace=False))


STOCK_BOARDS = [  # market, code ranges, share of listings, risk level
    (SH, [(600000, 606000)], 0.42, 3),
    (SZ, [(1, 4000)], 0.28, 3),
    (SZ, [(300001, 302000)], 0.22, 4),
    (BJ, [(830000, 840000), (870000, 874000)], 0.08, 4),
]


def stock_columns(rng: np.random.Generator, count: int, listed: np.ndarray, taken: set[int]) -> Columns:
    """`count` A-share-like stocks with codes unused so far (codes are added to `taken`)."""
    board = rng.choice(len(STOCK_BOARDS), size=count, p=[b[2] for b in STOCK_BOARDS])
    market = np.zeros(count, dtype=np.int8)
    codes = np.zeros(count, dtype=np.int64)
    risk = np.zeros(count, dtype=np.int8)
    for index, (mkt, ranges, _, level) in enumerate(STOCK_BOARDS):  # four boards, not rows
        rows = np.flatnonzero(board == index)
        codes[rows] = rng.permutation(_unique_codes(rng, ranges, len(rows), taken))
        taken.update(codes[rows].tolist())
        market[rows] = mkt
        risk[rows] = level
    industry = rng.choice(len(pools.INDUSTRIES), size=count, p=_industry_weights())
    ending_pool = [e for _, es in pools.INDUSTRIES for e in es]
    ending_offset = np.cumsum([0] + [len(es) for _, es in pools.INDUSTRIES])[:-1]
    ending_count = np.array([len(es) for _, es in pools.INDUSTRIES])
    ending = ending_offset[industry] + rng.integers(0, 1 << 30, count) % ending_count[industry]
    prefix = pools.STOCK_PREFIX_CHARS
    name = join(pick(prefix, rng.integers(0, len(prefix), count)), pick(prefix, rng.integers(0, len(prefix), count)),
                pick(ending_pool, ending))
    # Prices: lognormal around 12 yuan, a few very expensive ones; quoted to 0.01.
    price = np.clip(np.rint(np.exp(rng.normal(np.log(12.0), 0.8, count)) * 100), 150, 180_000).astype(np.int64) * 10
    return {
        "market": market, "code": digits(codes, 6), "name": name, "type": np.full(count, STOCK, np.int8),
        "industry": industry.astype(np.int16), "risk": risk, "lot": np.full(count, 100, np.int64),
        "tick": np.full(count, 10, np.int64), "price": price, "prev": price.copy(), "nav": price / 1000.0,
        "vol": rng.uniform(0.012, 0.035, count), "beta": rng.uniform(0.6, 1.4, count),
        "popularity": rng.pareto(1.1, count) + 0.05, "listed": listed.astype(np.int32),
        "div_doy": rng.integers(120, 200, count).astype(np.int16),
        "div_yield": np.where(rng.random(count) < 0.6, rng.uniform(0.004, 0.045, count), 0.0),
        "fee_e7": np.zeros(count, np.int64),
    }


def _industry_weights() -> np.ndarray:
    weights = np.linspace(2.0, 0.6, len(pools.INDUSTRIES))
    return weights / weights.sum()


def _plain(count: int, stype: int, market: np.ndarray, codes: pa.Array, name: pa.Array, risk: np.ndarray,
           lot: int, price: np.ndarray, vol: np.ndarray, popularity: np.ndarray, fee_e7: np.ndarray, listed: np.ndarray) -> Columns:
    return {
        "market": market.astype(np.int8), "code": codes, "name": name, "type": np.full(count, stype, np.int8),
        "industry": np.full(count, -1, np.int16), "risk": risk.astype(np.int8), "lot": np.full(count, lot, np.int64),
        "tick": np.ones(count, np.int64), "price": price.astype(np.int64), "prev": price.astype(np.int64),
        "nav": price / 1000.0, "vol": vol, "beta": np.ones(count), "popularity": popularity,
        "listed": listed.astype(np.int32), "div_doy": np.zeros(count, np.int16), "div_yield": np.zeros(count),
        "fee_e7": fee_e7.astype(np.int64),
    }


def etf_columns(rng: np.random.Generator, count: int, listed: np.ndarray) -> Columns:
    on_sh = rng.random(count) < 0.6
    sh_codes = rng.choice(np.r_[np.arange(510000, 513000), np.arange(588000, 589000)], count, replace=False)
    sz_codes = rng.choice(np.arange(159000, 160000), count, replace=False)
    codes = np.where(on_sh, sh_codes, sz_codes)
    theme = rng.integers(0, len(pools.ETF_THEMES), count)
    name = join(pick(pools.FUND_COMPANIES, rng.integers(0, len(pools.FUND_COMPANIES), count)),
                pick(pools.ETF_THEMES, theme), "ETF")
    bond_like = theme >= len(pools.ETF_THEMES) - 2
    price = np.rint(rng.uniform(0.6, 5.0, count) * 1000)
    return _plain(count, FUND, np.where(on_sh, SH, SZ), digits(codes, 6), name, np.where(bond_like, 2, 3), 100, price,
                  np.where(bond_like, 0.001, rng.uniform(0.008, 0.02, count)), rng.pareto(1.2, count) + 0.1,
                  np.zeros(count), listed)


def open_fund_columns(rng: np.random.Generator, count: int, listed: np.ndarray, first_code: int) -> Columns:
    """Off-exchange funds: money market R1, bond R2, hybrid R3, equity R4; at least one money fund."""
    kind = rng.choice(4, size=count, p=[0.15, 0.3, 0.3, 0.25])
    kind[0] = 0
    suffix = np.array(["货币A", "债券A", "混合A", "股票A"])
    name = join(pick(pools.FUND_COMPANIES, rng.integers(0, len(pools.FUND_COMPANIES), count)),
                pick(pools.FUND_THEMES, rng.integers(0, len(pools.FUND_THEMES), count)), pick(list(suffix), kind))
    price = np.where(kind == 0, 1000, np.rint(rng.uniform(0.8, 3.5, count) * 1000))
    vol = np.array([0.0, 0.0008, 0.009, 0.013])[kind]
    fee = np.array([0, 8_000, 15_000, 15_000])[kind]  # subscription fee, 0.08% / 0.15% after discount
    codes = first_code + np.sort(rng.choice(20_000, count, replace=False))
    return _plain(count, FUND, np.full(count, OF), digits(codes, 6), name, kind + 1, 1, price, vol,
                  rng.pareto(1.5, count) + 0.2, fee, listed)


def bond_columns(rng: np.random.Generator, count: int, listed: np.ndarray) -> Columns:
    """Treasuries (R1-R2) and convertibles (R3) on SH and SZ, quoted per 100 face value, lots of 10."""
    convertible = rng.random(count) < 0.6
    on_sh = rng.random(count) < 0.55
    codes = np.where(convertible, np.where(on_sh, rng.choice(np.arange(110000, 114000), count, replace=False),
                                           rng.choice(np.arange(123000, 129000), count, replace=False)),
                     np.where(on_sh, rng.choice(np.arange(19000, 20000), count, replace=False),
                              rng.choice(np.arange(101000, 102000), count, replace=False)))
    prefix = pools.STOCK_PREFIX_CHARS
    conv_name = join(pick(prefix, rng.integers(0, len(prefix), count)), pick(prefix, rng.integers(0, len(prefix), count)), "转债")
    gov_name = join(pa.array(rng.integers(19, 26, count).astype(str)), "附息国债", digits(rng.integers(1, 30, count), 2))
    name = pc.if_else(pa.array(convertible), conv_name, gov_name)
    price = np.where(convertible, np.rint(rng.uniform(95, 180, count) * 1000), np.rint(rng.uniform(98, 106, count) * 1000))
    return _plain(count, BOND, np.where(on_sh, SH, SZ), digits(codes, 6), name, np.where(convertible, 3, 1), 10, price,
                  np.where(convertible, 0.012, 0.0006), rng.pareto(1.5, count) + 0.1, np.zeros(count), listed)


def repo_columns(listed_day: int) -> Columns:
    """Overnight reverse repo: SH GC001 (lots of 1,000 × 100 face) and SZ R-001 (lots of 10)."""
    cols = _plain(2, REPO, np.array([SH, SZ]), pa.array(["204001", "131810"]), pa.array(["GC001", "R-001"]),
                  np.array([1, 1]), 10, np.array([100_000, 100_000]), np.zeros(2), np.ones(2), np.zeros(2),
                  np.full(2, listed_day))
    cols["lot"] = np.array([1000, 10], np.int64)
    return cols


def wealth_columns(rng: np.random.Generator, count: int, listed: np.ndarray, first_code: int) -> Columns:
    risk = rng.choice(5, size=count, p=[0.25, 0.35, 0.25, 0.1, 0.05]) + 1
    name = join(pick(pools.WEALTH_ISSUERS, rng.integers(0, len(pools.WEALTH_ISSUERS), count)),
                pick(pools.WEALTH_THEMES, rng.integers(0, len(pools.WEALTH_THEMES), count)))
    vol = np.array([0.0, 0.0, 0.0004, 0.002, 0.006, 0.012])[risk]
    return _plain(count, WEALTH, np.full(count, OF), digits(first_code + np.arange(count), 6, "WM"), name, risk, 1,
                  np.rint(rng.uniform(1.0, 1.2, count) * 1000), vol, rng.pareto(1.5, count) + 0.2, np.zeros(count), listed)


def build_securities(rng: np.random.Generator, params: WorldParams, first_day: int) -> Columns:
    """The universe on the first day, sorted by market then code."""
    listed_long_ago = lambda n: first_day - rng.integers(200, 25 * YEAR, n)  # noqa: E731
    parts = [
        stock_columns(rng, params.stocks, listed_long_ago(params.stocks), set()),
        etf_columns(rng, params.etfs, listed_long_ago(params.etfs)),
        open_fund_columns(rng, params.open_funds, listed_long_ago(params.open_funds), 1),
        bond_columns(rng, params.bonds, listed_long_ago(params.bonds)),
        repo_columns(first_day - 20 * YEAR),
        wealth_columns(rng, params.wealth_products, first_day - rng.integers(30, 3 * YEAR, params.wealth_products), 1),
    ]
    merged = {name: (pa.concat_arrays([p[name] for p in parts]) if isinstance(parts[0][name], pa.Array)
                     else np.concatenate([p[name] for p in parts])) for name in parts[0]}
    order = np.lexsort((np.array(merged["code"].to_pylist()), merged["market"]))
    secs = with_market_state({name: (col.take(pa.array(order)) if isinstance(col, pa.Array) else col[order])
                              for name, col in merged.items()})
    # Stocks whose dividend date already passed this year have paid this year's dividend.
    when = to_date(first_day)
    secs["div_year"] = np.where(when.timetuple().tm_yday > secs["div_doy"], when.year, when.year - 1).astype(np.int16)
    return secs


def with_market_state(cols: Columns) -> Columns:
    """Add the columns the market keeps per security (today's limits, last dividend year)."""
    count = len(cols["price"])
    listed_year = (cols["listed"].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)
    return {**cols, "up": cols["price"].copy(), "down": cols["price"].copy(), "div_year": listed_year.astype(np.int16)}
