"""Small deliveries generated once per test session and shared read-only by the tests."""
from datetime import date
from pathlib import Path

import duckdb
import pytest

from brokercrm.simulator.facade import simulate
from brokercrm.simulator.tests.checks import load

# June 2026: dividends season, the quarterly interest day (22 June) and the Dragon Boat holiday (19 June).
SMALL = {"start": date(2026, 6, 10), "days": 12, "customers": 600, "staff": 24, "branches": 3, "seed": 11}
# A whole demo year at a tenth of the demo size, for the realism statistics.
YEAR = {"start": date(2025, 11, 3), "days": 241, "customers": 1500, "staff": 60, "branches": 5, "seed": 1}


@pytest.fixture(scope="session")
def small_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small") / "delivery"
    simulate(out=root, **SMALL)
    return root


@pytest.fixture(scope="session")
def year_db(year_delivery: Path) -> duckdb.DuckDBPyConnection:
    """The year's files loaded once into DuckDB (all columns as text, folder date as column d)."""
    return load(year_delivery)


@pytest.fixture(scope="session")
def year_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("year") / "delivery"
    simulate(out=root, **YEAR)
    return root
