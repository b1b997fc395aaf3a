"""`--append` continues the same world: the result equals one longer run."""
from datetime import date
from pathlib import Path

import pytest

from brokercrm.simulator.errors import SimulationError
from brokercrm.simulator.facade import simulate
from brokercrm.simulator.tests.checks import check_delivery

WORLD = {"customers": 400, "staff": 15, "branches": 3, "seed": 3}
START = date(2025, 12, 17)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_append_equals_one_longer_run(tmp_path: Path) -> None:
    """6 days then 6 appended (across the 22 December interest day and New Year) are byte-identical to
    12 days at once, staff.csv and relations.csv rewritten for the whole period, invariants holding
    across the boundary."""
    simulate(out=tmp_path / "split", start=START, days=6, **WORLD)
    summary = simulate(out=tmp_path / "split", start=START, days=6, append=True, **WORLD)
    simulate(out=tmp_path / "whole", start=START, days=12, **WORLD)

    assert (summary.first_date, summary.last_date, summary.days_written) == (START, date(2026, 1, 5), 6)
    assert [p.name for p in summary.day_folders] == ["2025-12-25", "2025-12-26", "2025-12-29", "2025-12-30",
                                                     "2025-12-31", "2026-01-05"]
    assert _files(tmp_path / "split") == _files(tmp_path / "whole")
    assert check_delivery(tmp_path / "split") == []


def test_append_refuses_another_world(tmp_path: Path) -> None:
    """Appending with another seed is refused, naming the stored value; nothing is written."""
    simulate(out=tmp_path / "d", start=START, days=1, **WORLD)
    with pytest.raises(SimulationError, match="--seed 3"):
        simulate(out=tmp_path / "d", start=START, days=1, append=True, **{**WORLD, "seed": 4})
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["2025-12-17", "relations.csv", "simulator_state", "staff.csv"]


def test_append_refuses_a_gap(tmp_path: Path) -> None:
    """A --start after the next trading day would break cash continuity and is refused."""
    simulate(out=tmp_path / "d", start=START, days=1, **WORLD)
    with pytest.raises(SimulationError, match="would leave a gap: the delivery ends 2025-12-17"):
        simulate(out=tmp_path / "d", start=date(2026, 1, 5), days=1, append=True, **WORLD)


def test_append_needs_a_delivery_and_a_new_run_needs_an_empty_directory(tmp_path: Path) -> None:
    """Appending to an empty directory and starting afresh over a delivery are both refused."""
    with pytest.raises(SimulationError, match="holds no simulator state"):
        simulate(out=tmp_path / "none", start=START, days=1, append=True, **WORLD)
    simulate(out=tmp_path / "d", start=START, days=1, **WORLD)
    with pytest.raises(SimulationError, match="already holds a delivery; pass --append"):
        simulate(out=tmp_path / "d", start=START, days=1, **WORLD)
