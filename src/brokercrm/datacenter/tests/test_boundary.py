"""One warehouse reader: outside the data center no code opens DuckDB files or names a dw./dm. table."""
import re
from pathlib import Path

import brokercrm

SOURCE = Path(brokercrm.__file__).parent
# Opening the warehouse or a snapshot, or naming one of their tables (tests and migrations excepted).
FORBIDDEN = re.compile(r"\b(?:dw|dm)\.[a-z_]+|open_published|current_snapshot|warehouse\.connect|WAREHOUSE_PATH|"
                       r"WAREHOUSE_SNAPSHOT_DIR|duckdb\.connect\((?!\))|pipelines\.publish")
# The segmentation engine runs its SQL in an in-memory DuckDB over the Arrow tables the facade hands it.
IN_MEMORY_ENGINE = {"analytics/engine/build.py"}


def _app_sources():
    for path in sorted(SOURCE.rglob("*")):
        relative = path.relative_to(SOURCE).as_posix()
        if path.suffix not in {".py", ".html"} or relative.startswith(("datacenter/", "simulator/")):
            continue
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_no_app_but_the_data_center_opens_the_warehouse_or_names_its_tables():
    """Every read of the warehouse's results outside datacenter/ goes through datacenter.facade."""
    offending = [f"{relative}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
                 for relative, text in _app_sources() for m in FORBIDDEN.finditer(text)]

    assert offending == []


def test_duckdb_is_imported_outside_the_data_center_only_by_the_in_memory_segmentation_engine():
    """No app keeps its own DuckDB reader; analytics' engine is an in-memory one over the facade's Arrow tables."""
    importers = {relative for relative, text in _app_sources() if re.search(r"^\s*(?:import duckdb|from duckdb)", text, re.M)}

    assert importers == IN_MEMORY_ENGINE
