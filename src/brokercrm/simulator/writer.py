"""Writing a day folder: UTF-8 CSV with one header row and `\\n` line ends, then manifest.json last."""
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

DAY_FILES = ["branches.csv", "customers.csv", "securities.csv", "deliveries.csv", "cash_flows.csv",
             "security_transfers.csv", "positions.csv", "assets.csv"]
_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)


def csv_bytes(table: pa.Table) -> bytes:
    """Header plus rows; fields are generated without separators, quotes or line breaks, so none are quoted
    (pyarrow refuses to write a field that would need quoting in this mode)."""
    sink = pa.BufferOutputStream()
    if table.num_rows:
        pacsv.write_csv(table, sink, _OPTIONS)
    return (",".join(table.column_names) + "\n").encode() + sink.getvalue().to_pybytes()


def write_csv(path: Path, table: pa.Table) -> dict:
    data = csv_bytes(table)
    path.write_bytes(data)
    return {"rows": table.num_rows, "sha256": hashlib.sha256(data).hexdigest()}


def write_day(folder: Path, business_date: str, tables: dict[str, pa.Table]) -> None:
    """Write every file of the day, then the manifest that marks the day complete."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / "manifest.json"
    manifest_path.unlink(missing_ok=True)  # a rerun over a crashed day: incomplete until the end
    files = {name: write_csv(folder / name, tables[name]) for name in DAY_FILES}
    manifest = {"interface": "v1", "business_date": business_date, "files": files}
    temporary = folder / "manifest.json.tmp"
    temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    temporary.replace(manifest_path)
