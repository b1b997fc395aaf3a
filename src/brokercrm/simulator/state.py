"""The world's state beside a delivery (`simulator_state/`), so `--append` continues the same world."""
import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from brokercrm.simulator.days import Brokerage
from brokercrm.simulator.params import WorldParams

STATE_DIR = "simulator_state"
VERSION = 1
_GROUPS = ["branches", "secs", "book", "positions", "staff", "relations"]


def _to_table(columns: dict) -> pa.Table:
    return pa.table({name: (col if isinstance(col, pa.Array) else pa.array(col)) for name, col in columns.items()})


def _from_table(table: pa.Table) -> dict:
    out = {}
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        out[name] = column if pa.types.is_string(column.type) else np.array(column.to_numpy(zero_copy_only=False))
    return out


def save(root: Path, world: Brokerage, arguments: dict) -> None:
    """Write the state to a fresh folder, then swap it in, so a crash leaves the previous state."""
    temporary = root / f"{STATE_DIR}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    for group in _GROUPS:
        with ipc.new_file(temporary / f"{group}.arrow", (table := _to_table(getattr(world, group))).schema) as sink:
            sink.write_table(table)
    np.save(temporary / "teams.npy", world.teams)
    meta = {"version": VERSION, "arguments": arguments, "params": world.params.as_dict(), "seed": world.seed,
            "first_day": world.first_day, "prev_day": world.prev_day, "opening_customers": world.opening_customers,
            "staff_width": world.staff_width}
    (temporary / "state.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    final = root / STATE_DIR
    shutil.rmtree(final, ignore_errors=True)
    temporary.rename(final)


def load(root: Path) -> tuple[Brokerage, dict]:
    """The world as saved after the last delivered day, and the arguments it was created with."""
    folder = root / STATE_DIR
    meta = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    groups = {}
    for group in _GROUPS:
        with ipc.open_file(folder / f"{group}.arrow") as source:
            groups[group] = _from_table(source.read_all())
    world = Brokerage(seed=meta["seed"], params=WorldParams(**meta["params"]), first_day=meta["first_day"],
                      prev_day=meta["prev_day"], opening_customers=meta["opening_customers"],
                      staff_width=meta["staff_width"], teams=np.load(folder / "teams.npy"), **groups)
    return world, meta["arguments"]


def exists(root: Path) -> bool:
    return (root / STATE_DIR / "state.json").is_file()
