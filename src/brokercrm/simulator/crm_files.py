"""staff.csv and relations.csv beside the day folders, covering the whole delivered period."""
from pathlib import Path

from brokercrm.simulator import tables
from brokercrm.simulator.days import Brokerage
from brokercrm.simulator.staffing import DEVELOPMENT, SERVICE
from brokercrm.simulator.writer import write_csv

import numpy as np


def all_relations(world: Brokerage) -> dict:
    """Ended relations plus those in force now (end_date NULL)."""
    book, parts = world.book, [world.relations]
    for kind, staff_col, start_col in ((DEVELOPMENT, "dev_staff", "dev_start"), (SERVICE, "svc_staff", "svc_start")):
        rows = np.flatnonzero(book[staff_col] >= 0)
        parts.append({"cust": rows.astype(np.int64), "staff": book[staff_col][rows], "type": np.full(len(rows), kind, np.int8),
                      "start": book[start_col][rows], "end": np.full(len(rows), -1, np.int32)})
    return {name: np.concatenate([np.asarray(p[name], dtype=world.relations[name].dtype) for p in parts])
            for name in world.relations}


def write_crm_files(root: Path, world: Brokerage) -> tuple[Path, Path]:
    staff_path, relations_path = root / "staff.csv", root / "relations.csv"
    write_csv(staff_path, tables.staff_table(world.staff, world.branches, world.staff_width))
    write_csv(relations_path, tables.relations_table(all_relations(world), world.book, world.staff, world.staff_width))
    return staff_path, relations_path
