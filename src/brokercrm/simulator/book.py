"""Customers (客户): identities, behaviour and opening balances, generated a whole book at a time."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from brokercrm.simulator import pools
from brokercrm.simulator.arrays import Columns, digits, join, null_where, pick
from brokercrm.simulator.calendar import trading_days_before
from brokercrm.simulator.params import (ACTIVE, CLOSED, DAYTRADER, DORMANT, HOLDER, NORMAL, REGULAR, SILENT,
                                        TRADING_DAYS_PER_YEAR, WorldParams)

YEAR = 365
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
MOBILE_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158,
                            159, 166, 170, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
                            191, 193, 195, 196, 198, 199])
RATES_E7 = np.array([1000, 1500, 2000, 2500, 3000, 5000, 8000, 10000, 20000, 30000])  # 0.01% … 0.30%
RATE_P = np.array([0.05, 0.10, 0.15, 0.20, 0.15, 0.12, 0.08, 0.07, 0.05, 0.03])


def ymd(days: np.ndarray) -> np.ndarray:
    """Day numbers as integers YYYYMMDD."""
    as_date = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    year = as_date.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = as_date.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    return year * 10000 + month * 100 + (as_date - month_start).astype(np.int64) + 1


def id_card_numbers(region: np.ndarray, birth: np.ndarray, male: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """18-character resident id numbers with a valid ISO 7064 check character and gender digit."""
    sequence = rng.integers(0, 500, len(region)) * 2 + male.astype(np.int64)
    body = region.astype(np.int64) * 10**11 + ymd(birth) * 1000 + sequence
    places = 10 ** np.arange(16, -1, -1, dtype=np.int64)
    check = ((body[:, None] // places) % 10 * ID_WEIGHTS).sum(axis=1) % 11
    return join(digits(body, 17), pick(list("10X98765432"), check))


def identities(rng: np.random.Generator, count: int, branch: np.ndarray, branches: Columns, open_day: np.ndarray,
               first_day: int, params: WorldParams) -> Columns:
    """Names, ids, contact data and personal data (some NULL) for new customers."""
    institution = rng.random(count) < params.institution_share
    city = branches["city"][branch]
    local = rng.random(count) < 0.85
    home_city = np.where(local, city, rng.integers(0, len(pools.CITIES), count))
    region = np.array(pools.REGION_CODES, dtype=np.int64)[home_city]

    age_years = np.clip(rng.normal(46, 13, count), 19, 92)
    birth = (first_day - age_years * 365.25).astype(np.int64)
    birth = np.minimum(birth, open_day - 18 * YEAR - 5)  # adult when the account was opened
    male = rng.random(count) < 0.56

    id_kind = np.where(institution, 2, rng.choice([0, 1, 3], size=count, p=[0.975, 0.015, 0.01]))
    card = id_card_numbers(region, birth, male, rng)
    passport = digits(rng.integers(10**7, 10**8, count), 8, "E")
    other = digits(rng.integers(10**7, 10**8, count), 8, "H")
    license_no = join(digits(region, 6, "91"), digits(rng.integers(0, 10**10, count), 10))
    id_no = pc.case_when(pc.make_struct(pa.array(id_kind == 0), pa.array(id_kind == 1), pa.array(id_kind == 2)),
                         card, passport, license_no, other)

    surname_weights = 1.0 / (np.arange(len(pools.SURNAMES)) + 3)
    surname = rng.choice(len(pools.SURNAMES), size=count, p=surname_weights / surname_weights.sum())
    given = pools.GIVEN_CHARS
    two_chars = rng.random(count) < 0.7
    second = pc.if_else(pa.array(two_chars), pick(given, rng.integers(0, len(given), count)), "")
    person = join(pick([s for s, _ in pools.SURNAMES], surname), pick(given, rng.integers(0, len(given), count)), second)
    brand = pools.INSTITUTION_BRANDS
    company = join(pick([c for c, _, _ in pools.CITIES], home_city), pick(brand, rng.integers(0, len(brand), count)),
                   pick(brand, rng.integers(0, len(brand), count)),
                   pick(pools.INSTITUTION_SUFFIXES, rng.integers(0, len(pools.INSTITUTION_SUFFIXES), count)))
    name = pc.if_else(pa.array(institution), company, person)

    mobile_number = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), count)] * 10**8 + rng.integers(0, 10**8, count)
    mobile = null_where(digits(mobile_number, 11), rng.random(count) < np.where(institution, 0.4, 0.03))
    qq = rng.random(count) < 0.5
    year = (ymd(birth) // 10000) % 100
    mailbox = pc.if_else(pa.array(qq), pc.cast(pa.array(rng.integers(10**5, 4 * 10**9, count)), pa.string()),
                         join(pick([p for _, p in pools.SURNAMES], surname), digits(year, 2)))
    domain = pc.if_else(pa.array(qq), "qq.com", pick(pools.EMAIL_DOMAINS, rng.integers(1, len(pools.EMAIL_DOMAINS), count)))
    email = null_where(join(mailbox, "@", domain), rng.random(count) > np.where(institution, 0.7, 0.35))
    district = rng.integers(0, 1 << 30, count) % np.array([len(ds) for _, _, ds in pools.CITIES])[home_city]
    district_pool = [d for _, _, ds in pools.CITIES for d in ds]
    offset = np.cumsum([0] + [len(ds) for _, _, ds in pools.CITIES])[:-1]
    address = join(pick([p for _, p, _ in pools.CITIES], home_city), pick(district_pool, offset[home_city] + district),
                   "区", pick(pools.ROADS, rng.integers(0, len(pools.ROADS), count)),
                   pa.array(rng.integers(1, 1500, count).astype(str)), "号")
    address = pc.replace_substring(address, "区区", "区")
    address = null_where(address, rng.random(count) < 0.1)

    gender = np.where(male, 1, 2).astype(np.int8)
    gender[institution | (rng.random(count) < 0.02)] = 0
    birth_out = np.where(institution | (rng.random(count) < 0.03), -1, birth).astype(np.int32)
    return {
        "name": name, "ctype": institution.astype(np.int8), "id_type": id_kind.astype(np.int8), "id_no": id_no,
        "gender": gender, "birth": birth_out, "mobile": mobile, "email": email, "address": address,
    }


def behaviour(rng: np.random.Generator, count: int, institution: np.ndarray, archetype: np.ndarray,
              params: WorldParams) -> Columns:
    """Trading propensity, target wealth, commission terms and preferences."""
    trade_p = np.select(
        [archetype == HOLDER, archetype == REGULAR, archetype == ACTIVE, archetype == DAYTRADER],
        [rng.beta(1.0, 90.0, count), rng.uniform(0.03, 0.12, count), rng.uniform(0.2, 0.5, count),
         rng.uniform(0.85, 1.0, count)], 0.0)
    wealth = np.exp(rng.normal(np.log(params.median_wealth), params.wealth_sigma, count))
    wealth *= np.select([archetype == ACTIVE, archetype == DAYTRADER], [2.0, 4.0], 1.0)
    rich = rng.random(count) < params.pareto_share
    wealth[rich] = 1_000_000 * (1 + rng.pareto(params.pareto_alpha, int(rich.sum())))
    wealth[institution] *= 40
    wealth = np.minimum(wealth, 5e9)
    wealth[archetype == SILENT] = rng.uniform(0, 900, int((archetype == SILENT).sum()))
    wealth[archetype == DORMANT] = rng.uniform(0, 99, int((archetype == DORMANT).sum()))
    rate_index = rng.choice(len(RATES_E7), size=count, p=RATE_P)
    favoured = (archetype >= ACTIVE) | (wealth > 1_000_000) | institution
    rate_index[favoured] //= 3
    waived = rng.random(count) < params.minimum_waived_share
    bank_weights = np.array([w for _, w in pools.BANKS], dtype=float)
    return {
        "archetype": archetype.astype(np.int8), "trade_p": trade_p,
        "wealth": np.rint(wealth * 100).astype(np.int64),
        "rate_e7": RATES_E7[rate_index].astype(np.int64),
        "min_comm": np.where(waived, 0, params.commission_minimum).astype(np.int64),
        "channel": rng.choice(4, size=count, p=[0.7, 0.12, 0.1, 0.08]).astype(np.int8),
        "bank": rng.choice(len(pools.BANKS), size=count, p=bank_weights / bank_weights.sum()).astype(np.int8),
        "fund_taste": rng.beta(0.6, 6.0, count),
        "repo_user": (archetype >= REGULAR) & (wealth > 200_000) & (rng.random(count) < params.repo_user_share * 4),
    }


def _archetypes(rng: np.random.Generator, count: int, silent: float, dormant: float) -> np.ndarray:
    rest = 1.0 - silent - dormant
    return rng.choice(6, size=count, p=[silent, dormant, rest * 0.5, rest * 0.35, rest * 0.12, rest * 0.03]).astype(np.int8)


def _risk(rng: np.random.Generator, count: int, params: WorldParams) -> np.ndarray:
    risk = rng.choice(5, size=count, p=[0.06, 0.16, 0.36, 0.28, 0.14]).astype(np.int8) + 1
    risk[rng.random(count) < params.unassessed_share] = 0
    return risk


def _assemble(rng, count, first_no, branch, open_day, close_day, status, archetype, risk, assessed, lapser,
              branches, first_day, params) -> Columns:
    people = identities(rng, count, branch, branches, open_day, first_day, params)
    traits = behaviour(rng, count, people["ctype"].astype(bool), archetype, params)
    return {
        "no": first_no + np.arange(count, dtype=np.int64), **people,
        "branch": branch.astype(np.int16), "open": open_day.astype(np.int32), "close": close_day.astype(np.int32),
        "status": status.astype(np.int8), "risk": risk, "assessed": assessed.astype(np.int32),
        "lapser": lapser, **traits,
        "cash": np.zeros(count, np.int64), "accrual": np.zeros(count, np.int64),
        "dev_staff": np.full(count, -1, np.int32), "dev_start": np.full(count, -1, np.int32),
        "svc_staff": np.full(count, -1, np.int32), "svc_start": np.full(count, -1, np.int32),
    }


def opening_book(rng: np.random.Generator, count: int, branches: Columns, first_day: int, params: WorldParams) -> Columns:
    """The book on the first day: `count` open accounts plus some closed before the start."""
    closed = int(round(count * params.closed_before_start_share))
    total = count + closed
    weights = branches["weight"] / branches["weight"].sum()
    branch = rng.choice(len(weights), size=total, p=weights)
    history = trading_days_before(first_day)
    archetype = _archetypes(rng, total, params.silent_share, params.dormant_share)
    age = np.floor(rng.exponential(4.0 * TRADING_DAYS_PER_YEAR, total)).astype(np.int64) + 1
    age[archetype == DORMANT] += 3 * TRADING_DAYS_PER_YEAR  # no trade for three years
    open_index = np.maximum(len(history) - age, 0)
    open_index = np.maximum(open_index, np.searchsorted(history, branches["opened"][branch]))
    open_index = np.minimum(open_index, len(history) - 1)
    # The closed accounts are the last `closed` rows; they closed between opening and the start.
    is_closed = np.arange(total) >= count
    open_index[is_closed] = np.minimum(open_index[is_closed], len(history) - 3)
    close_index = open_index + 1 + np.floor(rng.random(total) * (len(history) - 2 - open_index)).astype(np.int64)
    open_day = history[open_index]
    close_day = np.where(is_closed, history[np.minimum(close_index, len(history) - 1)], -1)
    status = np.where(is_closed, CLOSED, np.where(rng.random(total) < 0.004, 1, NORMAL))
    risk = _risk(rng, total, params)
    # Most renew their questionnaire before it is two years old; lapsers let it go stale.
    lapser = rng.random(total) < params.questionnaire_lapser_share
    questionnaire_age = np.floor(rng.uniform(0, np.where(lapser, 3.2 * YEAR, 2 * YEAR - 31), total)).astype(np.int64) + 1
    assessed = np.where(risk > 0, np.maximum(first_day - questionnaire_age, open_day), -1)
    assessed = np.where(is_closed & (risk > 0), np.minimum(assessed, close_day), assessed)
    archetype[is_closed] = np.where(archetype[is_closed] == DORMANT, SILENT, archetype[is_closed])
    return _assemble(rng, total, 10_000_001, branch, open_day, close_day, status, archetype, risk, assessed,
                     lapser, branches, first_day, params)


def new_accounts(rng: np.random.Generator, count: int, first_no: int, branches: Columns, day: int,
                 params: WorldParams) -> Columns:
    """Accounts opened on `day`: questionnaire done that day, cash 0 until money arrives."""
    weights = branches["weight"] / branches["weight"].sum()
    branch = rng.choice(len(weights), size=count, p=weights)
    archetype = _archetypes(rng, count, 0.15, 0.0)
    risk = _risk(rng, count, params)
    risk[risk == 0] = 1
    assessed = np.full(count, day)
    lapser = rng.random(count) < params.questionnaire_lapser_share
    return _assemble(rng, count, first_no, branch, np.full(count, day), np.full(count, -1),
                     np.full(count, NORMAL), archetype, risk, assessed, lapser, branches, day, params)
