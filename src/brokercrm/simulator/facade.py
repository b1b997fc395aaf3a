"""The simulator's public interface: write a delivery of the trading system's daily extract."""
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from brokercrm.simulator import state
from brokercrm.simulator.calendar import day_number, next_trading_day, read_closures, to_date, trading_days, use_closures
from brokercrm.simulator.crm_files import write_crm_files
from brokercrm.simulator.days import Brokerage
from brokercrm.simulator.errors import SimulationError
from brokercrm.simulator.params import WorldParams
from brokercrm.simulator.writer import write_day

__all__ = ["SimulationError", "SimulationSummary", "simulate", "stored_arguments", "WorldParams"]


@dataclass(frozen=True)
class SimulationSummary:
    """What a run wrote; first_date/last_date span the whole delivery (earlier runs included)."""

    first_date: date
    last_date: date
    days_written: int
    customers_total: int
    root: Path
    day_folders: tuple[Path, ...]
    staff_csv: Path
    relations_csv: Path
    state_dir: Path


def stored_arguments(out: Path) -> dict:
    """The world arguments (seed, customers, staff, branches, start) of an existing delivery."""
    if not state.exists(Path(out)):
        raise SimulationError(f"{out} holds no simulator state to append to (no {state.STATE_DIR}/ folder)")
    return state.load(Path(out))[1]


def _check_sizes(customers: int, staff: int, branches: int, seed: int) -> None:
    if customers < 1:
        raise SimulationError("--customers must be at least 1")
    if not 1 <= branches <= 999:
        raise SimulationError("--branches must be between 1 and 999")
    if seed < 0:
        raise SimulationError("--seed must be zero or positive")


def _holds_delivery(out: Path) -> bool:
    return out.exists() and (state.exists(out) or any(
        p.is_dir() and len(p.name) == 10 and p.name[4] == "-" for p in out.iterdir()))


def simulate(*, out: Path, start: date, days: int, customers: int, staff: int, branches: int, seed: int,
             append: bool = False, progress: Callable[[int, int], None] | None = None,
             params: WorldParams | None = None, closures: tuple[Path, ...] = ()) -> SimulationSummary:
    """Write `days` trading days of the simulated brokerage under `out` (one folder per day, manifest
    last), plus staff.csv and relations.csv for the whole period. With `append`, continue the
    delivery already in `out` from its next trading day, with the same world. `closures`: files of
    the exchange's closures for years after the calendar package's last (date,reason)."""
    out = Path(out)
    _check_sizes(customers, staff, branches, seed)
    use_closures(read_closures([Path(p) for p in closures]))
    try:
        return _simulate(out=out, start=start, days=days, customers=customers, staff=staff, branches=branches, seed=seed,
                         append=append, progress=progress, params=params)
    finally:
        use_closures({})


def _simulate(*, out: Path, start: date, days: int, customers: int, staff: int, branches: int, seed: int,
              append: bool, progress: Callable[[int, int], None] | None, params: WorldParams | None) -> SimulationSummary:
    arguments = {"seed": seed, "customers": customers, "staff": staff, "branches": branches}
    if append:
        world, stored = state.load(out) if state.exists(out) else (None, None)
        if world is None:
            raise SimulationError(f"{out} holds no simulator state to append to (no {state.STATE_DIR}/ folder)")
        differing = [f"--{k} {stored[k]}" for k in arguments if stored[k] != arguments[k]]
        if differing:
            raise SimulationError("--append continues the same world; this delivery was made with " + ", ".join(differing))
        following = next_trading_day(world.prev_day)
        if following is None:
            raise SimulationError(f"the delivery ends {to_date(world.prev_day).isoformat()}, the calendar's last known day; "
                                  f"give the next year's closures with --closures FILE.csv")
        if day_number(start) > following:
            raise SimulationError(f"--start {start.isoformat()} would leave a gap: the delivery ends "
                                  f"{to_date(world.prev_day).isoformat()}, so appending starts on the next trading day")
        schedule = trading_days(to_date(following), days)
    else:
        if _holds_delivery(out):
            raise SimulationError(f"{out} already holds a delivery; pass --append to continue it or choose an empty directory")
        schedule = trading_days(start, days)
        world = Brokerage.create(seed=seed, first_day=int(schedule[0]), customers=customers, staff=staff,
                                 branches=branches, params=params or WorldParams())
        stored = {**arguments, "start": to_date(int(schedule[0])).isoformat()}
    out.mkdir(parents=True, exist_ok=True)

    folders = []
    # Writing a day (CSV formatting, hashing, disk) overlaps with computing the next one.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future | None = None
        for done, day in enumerate(schedule, start=1):
            tables = world.step(int(day))
            if pending is not None:
                pending.result()
            folder = out / to_date(int(day)).isoformat()
            pending = writer.submit(write_day, folder, folder.name, tables)
            folders.append(folder)
            if progress is not None:
                progress(done, len(schedule))
        if pending is not None:
            pending.result()
    state.save(out, world, stored)
    staff_csv, relations_csv = write_crm_files(out, world)
    return SimulationSummary(
        first_date=to_date(world.first_day), last_date=to_date(world.prev_day), days_written=len(folders),
        customers_total=len(world.book["no"]), root=out, day_folders=tuple(folders), staff_csv=staff_csv,
        relations_csv=relations_csv, state_dir=out / state.STATE_DIR)
