"""The CRM side of the world: staff (人员) with categories, levels and teams, joining and leaving, and
broker relationships (经纪关系) that follow customers' openings, moves, closings and staff departures."""
import numpy as np
import pyarrow as pa

from brokercrm.simulator import pools
from brokercrm.simulator.arrays import Columns, join, pick
from brokercrm.simulator.errors import SimulationError
from brokercrm.simulator.params import CLOSED, TRADING_DAYS_PER_YEAR, WorldParams

CATEGORIES = ["account_manager", "external_broker", "investment_adviser", "service_agent", "team_leader",
              "branch_manager"]
ACCOUNT_MANAGER, EXTERNAL_BROKER, INVESTMENT_ADVISER, SERVICE_AGENT, TEAM_LEADER, BRANCH_MANAGER = range(6)
LEVELS = ["assistant", "manager", "senior", "principal"]
RELATION_TYPES = ["development", "service"]
DEVELOPMENT, SERVICE = range(2)
STAFF_MIX = [0.55, 0.22, 0.10, 0.13]  # of staff below team leader
YEAR = 365
STAFF_PER_TEAM = 10


def staff_number_width(count: int) -> int:
    """Digits of staff_no, fixed when the world is built so later hires keep the same format."""
    return max(4, len(str(count * 5)))


def _names(rng: np.random.Generator, count: int) -> pa.Array:
    surnames = [s for s, _ in pools.SURNAMES[:60]]
    chars = pools.STAFF_GIVEN_CHARS
    second = pa.array(np.where(rng.random(count) < 0.75, np.array(chars)[rng.integers(0, len(chars), count)], ""))
    return join(pick(surnames, rng.integers(0, len(surnames), count)), pick(chars, rng.integers(0, len(chars), count)), second)


def _levels(rng: np.random.Generator, category: np.ndarray, p: list[float]) -> np.ndarray:
    return np.where(category == ACCOUNT_MANAGER, rng.choice(4, size=len(category), p=p), -1).astype(np.int8)


def build_staff(rng: np.random.Generator, count: int, branches: Columns, first_day: int,
                params: WorldParams) -> tuple[Columns, np.ndarray]:
    """Staff employed on the first day plus some who left before it; returns (staff, teams per branch)."""
    branch_count = len(branches["weight"])
    if count < 3 * branch_count:
        raise SimulationError(f"--staff {count} is too few for {branch_count} branches: each branch needs at least "
                              "a branch manager, a team leader and an account manager (3 per branch)")
    weights = branches["weight"] / branches["weight"].sum()
    headcount = 3 + rng.multinomial(count - 3 * branch_count, weights)
    teams = np.maximum(1, np.rint((headcount - 1) / STAFF_PER_TEAM)).astype(np.int64)
    teams = np.minimum(teams, headcount - 2)
    branch = np.repeat(np.arange(branch_count), headcount)
    rank = np.arange(count) - np.repeat(np.cumsum(headcount) - headcount, headcount)
    team_count = teams[branch]
    category = rng.choice(4, size=count, p=STAFF_MIX)
    category = np.where(rank == 1 + team_count, ACCOUNT_MANAGER, category)
    category = np.where((rank >= 1) & (rank <= team_count), TEAM_LEADER, category)
    category = np.where(rank == 0, BRANCH_MANAGER, category).astype(np.int8)
    team = np.where(category == TEAM_LEADER, rank - 1, rng.integers(0, 1 << 30, count) % team_count)
    team = np.where((category == BRANCH_MANAGER) | (category == SERVICE_AGENT), -1, team)
    senior_post = category >= TEAM_LEADER
    hire = first_day - np.where(senior_post, rng.integers(3 * YEAR, 15 * YEAR, count), rng.integers(30, 12 * YEAR, count))
    hire = np.maximum(hire, branches["opened"][branch])

    departed = int(round(count * params.departed_before_start_share))
    d_branch = rng.choice(branch_count, size=departed, p=weights)
    d_category = rng.choice([ACCOUNT_MANAGER, EXTERNAL_BROKER], size=departed, p=[0.7, 0.3]).astype(np.int8)
    d_leave = first_day - rng.integers(10, 3 * YEAR, departed)
    d_hire = np.maximum(d_leave - rng.integers(90, 8 * YEAR, departed), branches["opened"][d_branch])
    d_team = np.where(d_category >= 0, rng.integers(0, 1 << 30, departed) % teams[d_branch], -1)

    all_hire = np.r_[hire, d_hire]
    order = np.argsort(all_hire, kind="stable")  # staff numbers follow hiring order
    all_category = np.r_[category, d_category]
    staff = {
        "no": np.arange(1, count + departed + 1, dtype=np.int64),
        "name": _names(rng, count + departed).take(pa.array(order)),
        "category": all_category[order],
        "level": _levels(rng, all_category, [0.25, 0.4, 0.25, 0.1])[order],
        "branch": np.r_[branch, d_branch][order].astype(np.int16),
        "team": np.r_[team, d_team][order].astype(np.int16),
        "hire": all_hire[order].astype(np.int32),
        "leave": np.r_[np.full(count, -1), d_leave][order].astype(np.int32),
    }
    return staff, teams


def pick_staff(rng: np.random.Generator, customer_branch: np.ndarray, eligible: np.ndarray, staff: Columns,
               exclude: np.ndarray | None = None) -> np.ndarray:
    """A random eligible staff member of each customer's branch (-1 when the branch has none)."""
    pool = np.flatnonzero(eligible)
    pool = pool[np.argsort(staff["branch"][pool], kind="stable")]
    branch_count = int(max(staff["branch"].max(initial=0), customer_branch.max(initial=0))) + 1
    counts = np.bincount(staff["branch"][pool], minlength=branch_count)
    offsets = np.cumsum(counts) - counts
    available = counts[customer_branch]
    position = np.floor(rng.random(len(customer_branch)) * available).astype(np.int64)
    if exclude is not None and len(pool):
        chosen = pool[np.minimum(offsets[customer_branch] + position, len(pool) - 1)]
        position = np.where((chosen == exclude) & (available > 1), (position + 1) % np.maximum(available, 1), position)
    if len(pool) == 0:
        return np.full(len(customer_branch), -1, np.int32)
    chosen = pool[np.minimum(offsets[customer_branch] + position, len(pool) - 1)]
    chosen = np.where(available > 0, chosen, -1)
    if exclude is not None:
        chosen = np.where(chosen == exclude, -1, chosen)
    return chosen.astype(np.int32)


def employed(staff: Columns, day: int) -> np.ndarray:
    return (staff["hire"] <= day) & ((staff["leave"] < 0) | (staff["leave"] > day))


def developers(staff: Columns, day: int) -> np.ndarray:
    """Who takes development relations: account managers and external brokers."""
    return employed(staff, day) & (staff["category"] <= EXTERNAL_BROKER)


def servicers(staff: Columns, day: int) -> np.ndarray:
    return employed(staff, day) & ((staff["category"] == INVESTMENT_ADVISER) | (staff["category"] == SERVICE_AGENT))


def _empty_relations() -> Columns:
    return {"cust": np.zeros(0, np.int64), "staff": np.zeros(0, np.int32), "type": np.zeros(0, np.int8),
            "start": np.zeros(0, np.int32), "end": np.zeros(0, np.int32)}


def _record(relations: Columns, cust, staff, rtype, start, end) -> Columns:
    n = len(cust)
    part = {"cust": cust, "staff": staff, "type": np.full(n, rtype), "start": start, "end": np.broadcast_to(end, (n,))}
    return {name: np.concatenate([relations[name], np.asarray(part[name], dtype=relations[name].dtype)])
            for name in relations}


def opening_relations(rng: np.random.Generator, book: Columns, staff: Columns, first_day: int,
                      params: WorldParams) -> Columns:
    """Relations in force on the first day (set in `book`) and the history before it (returned)."""
    history = _empty_relations()
    count = len(book["no"])
    closed = book["status"] == CLOSED
    current_developers = (staff["leave"] < 0) & (staff["category"] <= EXTERNAL_BROKER)
    departed = (staff["leave"] >= 0) & (staff["category"] <= EXTERNAL_BROKER)

    has = rng.random(count) >= params.no_relation_share
    dev = np.where(has, pick_staff(rng, book["branch"], current_developers, staff), -1)
    start = np.maximum(book["open"], staff["hire"][dev])
    # A predecessor who left before the start handed these customers over on the leave date.
    before = pick_staff(rng, book["branch"], departed, staff)
    leave = staff["leave"][before]
    handed = (before >= 0) & (dev >= 0) & ~closed & (rng.random(count) < 0.3) \
        & (leave > np.maximum(book["open"], staff["hire"][before]))
    rows = np.flatnonzero(handed)
    history = _record(history, rows, before[rows], DEVELOPMENT,
                      np.maximum(book["open"], staff["hire"][before])[rows], leave[rows])
    start = np.where(handed, np.maximum(leave, staff["hire"][dev]), start)
    # Accounts closed before the start: their relation ended the day after closing.
    ended = closed & (dev >= 0) & (start < book["close"] + 1)
    rows = np.flatnonzero(ended)
    history = _record(history, rows, dev[rows], DEVELOPMENT, start[rows], book["close"][rows] + 1)
    live = (dev >= 0) & ~closed
    book["dev_staff"] = np.where(live, dev, -1).astype(np.int32)
    book["dev_start"] = np.where(live, start, -1).astype(np.int32)

    rich = book["wealth"] > 100_000_000
    wants = ~closed & (rng.random(count) < params.service_relation_share * np.where(rich, 2.5, 0.8))
    current_servicers = (staff["leave"] < 0) & ((staff["category"] == INVESTMENT_ADVISER) | (staff["category"] == SERVICE_AGENT))
    svc = np.where(wants, pick_staff(rng, book["branch"], current_servicers, staff), -1)
    book["svc_staff"] = svc.astype(np.int32)
    book["svc_start"] = np.where(svc >= 0, np.maximum(book["open"], staff["hire"][svc]), -1).astype(np.int32)
    return history


def hire_staff(rng: np.random.Generator, staff: Columns, teams: np.ndarray, branches: Columns, day: int,
               count: int) -> Columns:
    branch = rng.choice(len(teams), size=count, p=branches["weight"] / branches["weight"].sum())
    category = rng.choice(4, size=count, p=STAFF_MIX).astype(np.int8)
    team = np.where(category == SERVICE_AGENT, -1, rng.integers(0, 1 << 30, count) % teams[branch])
    first_no = int(staff["no"][-1]) + 1
    new = {"no": np.arange(first_no, first_no + count, dtype=np.int64), "name": _names(rng, count),
           "category": category, "level": _levels(rng, category, [0.6, 0.3, 0.1, 0.0]),
           "branch": branch.astype(np.int16), "team": team.astype(np.int16),
           "hire": np.full(count, day, np.int32), "leave": np.full(count, -1, np.int32)}
    return {name: (pa.concat_arrays([staff[name], new[name]]) if isinstance(staff[name], pa.Array)
                   else np.concatenate([staff[name], new[name].astype(staff[name].dtype)])) for name in staff}


def relations_step(rng: np.random.Generator, day: int, book: Columns, staff: Columns, teams: np.ndarray,
                   branches: Columns, relations: Columns, new: np.ndarray, closing: np.ndarray, moved: np.ndarray,
                   params: WorldParams) -> tuple[Columns, Columns]:
    """Staff turnover and relation changes of one day; returns (staff, closed relations)."""
    per_day = 1.0 / TRADING_DAYS_PER_YEAR
    workers = employed(staff, day) & (staff["category"] <= SERVICE_AGENT)
    leaving = workers & (rng.random(len(workers)) < params.staff_leaves_per_year * per_day)
    staff["leave"] = np.where(leaving, day, staff["leave"]).astype(np.int32)
    hires = rng.poisson(workers.sum() * params.staff_leaves_per_year * per_day)
    if hires:
        staff = hire_staff(rng, staff, teams, branches, day, hires)
        leaving = np.r_[leaving, np.zeros(hires, dtype=bool)]
    count = len(book["no"])
    touched = np.zeros(count, dtype=bool)
    draws = rng.random((6, count))

    def end(rows, kind, when):
        nonlocal relations
        staff_col, start_col = ("dev_staff", "dev_start") if kind == DEVELOPMENT else ("svc_staff", "svc_start")
        relations = _record(relations, rows, book[staff_col][rows], kind, book[start_col][rows], when)
        book[staff_col][rows] = -1
        book[start_col][rows] = -1

    def begin(rows, kind, chosen):
        staff_col, start_col = ("dev_staff", "dev_start") if kind == DEVELOPMENT else ("svc_staff", "svc_start")
        rows, chosen = rows[chosen >= 0], chosen[chosen >= 0]
        book[staff_col][rows] = chosen
        book[start_col][rows] = day

    dev_pool, svc_pool = developers(staff, day), servicers(staff, day)
    for kind, pool, share in ((DEVELOPMENT, dev_pool, params.reassigned_on_departure_share),
                              (SERVICE, svc_pool, 0.6)):
        column = "dev_staff" if kind == DEVELOPMENT else "svc_staff"
        current = book[column]
        rows = np.flatnonzero((current >= 0) & leaving[np.maximum(current, 0)])
        end(rows, kind, day)
        # The customers of a departed broker move on to a colleague; some are left without one.
        moving = rows[draws[0 if kind == DEVELOPMENT else 1][rows] < share]
        begin(moving, kind, pick_staff(rng, book["branch"][moving], pool, staff))
        touched[rows] = True

    for kind, column in ((DEVELOPMENT, "dev_staff"), (SERVICE, "svc_staff")):
        rows = closing[book[column][closing] >= 0]
        end(rows, kind, day + 1)
    touched[closing] = True

    moved = moved[~touched[moved]]
    for kind, column in ((DEVELOPMENT, "dev_staff"), (SERVICE, "svc_staff")):
        rows = moved[book[column][moved] >= 0]
        end(rows, kind, day)
    following = moved[draws[2][moved] < 0.8]
    begin(following, DEVELOPMENT, pick_staff(rng, book["branch"][following], dev_pool, staff))
    touched[moved] = True

    developed = new[draws[3][new] >= params.no_relation_share]
    begin(developed, DEVELOPMENT, pick_staff(rng, book["branch"][developed], dev_pool, staff))
    served = new[draws[4][new] < params.service_relation_share * 0.5]
    begin(served, SERVICE, pick_staff(rng, book["branch"][served], svc_pool, staff))
    touched[new] = True

    open_now = (book["open"] <= day) & (book["status"] != CLOSED) & ~touched
    transfer = np.flatnonzero(open_now & (book["dev_staff"] >= 0) & (book["dev_start"] < day)
                              & (draws[5] < params.transfers_per_year * per_day))
    successor = pick_staff(rng, book["branch"][transfer], dev_pool, staff, exclude=book["dev_staff"][transfer])
    transfer, successor = transfer[successor >= 0], successor[successor >= 0]
    end(transfer, DEVELOPMENT, day)
    begin(transfer, DEVELOPMENT, successor)
    unserved = np.flatnonzero(open_now & (book["dev_staff"] < 0) & (draws[5] > 1 - 0.05 * per_day))
    begin(unserved, DEVELOPMENT, pick_staff(rng, book["branch"][unserved], dev_pool, staff))
    return staff, relations
