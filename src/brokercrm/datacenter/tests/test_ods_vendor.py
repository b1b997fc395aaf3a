"""A vendor's layout (other file and column names, `|` separator, %Y%m%d dates, coded sides) loads by configuration alone."""
import csv
import io
import json
from datetime import date

import duckdb
import pytest
import yaml

from brokercrm.datacenter.pipelines.ods import ingest_days
from brokercrm.datacenter.sources.config import ODS_COLUMNS, default_source_config, load_source_config
from brokercrm.datacenter.tests.delivery_factory import COLUMNS, build_delivery, build_tables, write_manifest
from brokercrm.datacenter.tests.test_ods import snapshot
from brokercrm.datacenter.validation import validate_delivery

FILES = {"branches": "YYB", "customers": "KHXX", "securities": "ZQXX", "deliveries": "JGD", "cash_flows": "ZJLS",
         "security_transfers": "ZTG", "positions": "CCMX", "assets": "ZCMX"}
DELIVERY_NAMES = {"trade_date": "CJRQ", "serial_no": "LSH", "customer_no": "KHH", "market": "SCDM",
                  "security_code": "ZQDM", "side": "MMBZ", "quantity": "CJSL", "price": "CJJG", "amount": "CJJE",
                  "commission": "YJ", "handling_fee": "JSF", "regulatory_fee": "ZGF", "stamp_tax": "YHS",
                  "transfer_fee": "GHF", "other_fee": "QTFY", "settle_amount": "QSJE", "channel": "QD"}
SIDES = {"B": "1", "S": "2"}


def vendor_name(table: str, column: str) -> str:
    return DELIVERY_NAMES[column] if table == "deliveries" else column.upper()


def vendor_yaml() -> str:
    """The vendor's collection configuration, derived from interface v1 by renaming (as a user would edit it)."""
    default = default_source_config()
    tables = {}
    for spec in default.tables:
        columns = []
        for col in spec.columns:
            node = {"source": vendor_name(spec.name, col.ods), "ods": col.ods, "type": col.type}
            if col.nullable:
                node["nullable"] = True
            if col.values:
                node["values"] = list(col.values)
            if spec.name == "deliveries" and col.ods == "side":
                node["map"] = {"1": "B", "2": "S"}
            columns.append(node)
        if spec.name == "deliveries":
            columns.append({"source": "BZ", "ods": None, "type": "str", "nullable": True})
        checks = [{"rule": c.rule, **{k: list(v) if isinstance(v, tuple) else v for k, v in c.params}} for c in spec.checks]
        tables[spec.name] = {"file": FILES[spec.name] + "_{date:%Y%m%d}.txt", "key": list(spec.key),
                             "columns": columns, "checks": checks}
    tree = {"name": "vendor_hs", "interface": "v1", "folder_format": "%Y%m%d", "date_format": "%Y%m%d",
            "encoding": "utf-8", "delimiter": "|", "manifest": "manifest.json", "tables": tables,
            "invariants": [{"rule": c.rule} for c in default.invariants]}
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def write_vendor_delivery(root) -> None:
    """The factory's three days, written in the vendor's layout by hand-made rules."""
    for day, tables in build_tables().items():
        folder = root / day.strftime("%Y%m%d")
        folder.mkdir(parents=True)
        for table, rows in tables.items():
            kinds = dict(ODS_COLUMNS[table])
            header = [vendor_name(table, c) for c in COLUMNS[table]] + (["BZ"] if table == "deliveries" else [])
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter="|", lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                out = []
                for column, value in zip(COLUMNS[table], row):
                    if kinds[column] == "date" and value:
                        value = date.fromisoformat(value).strftime("%Y%m%d")
                    if table == "deliveries" and column == "side":
                        value = SIDES[value]
                    out.append(value)
                writer.writerow(out + (["手工单"] if table == "deliveries" else []))
            (folder / f"{FILES[table]}_{day:%Y%m%d}.txt").write_text(buffer.getvalue(), encoding="utf-8")
        write_manifest(folder, day.strftime("%Y%m%d"))


@pytest.fixture
def vendor_root(tmp_path):
    root = tmp_path / "vendor"
    write_vendor_delivery(root)
    return root


def test_vendor_delivery_passes_the_validator_with_its_configuration(vendor_root):
    """Every rule runs on the vendor's files through the mapping."""
    assert validate_delivery(vendor_root, config=load_source_config(vendor_yaml())) == []


def test_vendor_delivery_loads_the_same_ods_as_interface_v1(vendor_root, tmp_path):
    """Same facts, other layout: identical ODS rows."""
    canonical = build_delivery(tmp_path / "canonical")
    ours, theirs = duckdb.connect(), duckdb.connect()
    assert all(r.loaded for r in ingest_days(ours, canonical.root))
    assert all(r.loaded for r in ingest_days(theirs, vendor_root, config=load_source_config(vendor_yaml())))
    mine, vendor = snapshot(ours, with_load=False), snapshot(theirs, with_load=False)
    del mine["loaded_days"], vendor["loaded_days"]  # manifest hashes differ with the bytes
    assert vendor == mine


def test_problems_name_the_vendor_file_and_columns(vendor_root):
    """Messages use the delivered names: file, column and values as the vendor wrote them."""
    path = vendor_root / "20260303" / "JGD_20260303.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("|37.64|", "|4.99|")
    path.write_text("\n".join(lines), encoding="utf-8")
    write_manifest(path.parent, "20260303")
    assert [str(p) for p in validate_delivery(vendor_root, config=load_source_config(vendor_yaml()))] == [
        "20260303/JGD_20260303.txt:2:QSJE: QSJE -150589.15 differs from -(CJJE + YJ + YHS + GHF + QTFY) = -150556.50 "
        "for MMBZ 1",
        "20260303/JGD_20260303.txt:2:YJ: YJ 4.99 is below JSF + ZGF 8.14",
    ]


def test_vendor_dates_are_checked_in_the_vendor_format(vendor_root):
    """A date in ISO form is wrong for a %Y%m%d layout."""
    path = vendor_root / "20260303" / "ZJLS_20260303.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("20260303|F00001", "2026-03-03|F00001"), encoding="utf-8")
    write_manifest(path.parent, "20260303")
    assert [str(p) for p in validate_delivery(vendor_root, config=load_source_config(vendor_yaml()))] == [
        "20260303/ZJLS_20260303.txt:2:BIZ_DATE: BIZ_DATE '2026-03-03' is not a valid date in the format YYYYMMDD"]


def test_vendor_manifest_date_in_vendor_format(vendor_root):
    """The manifest names the business date in the vendor's date format."""
    manifest = json.loads((vendor_root / "20260302" / "manifest.json").read_text())
    assert manifest["business_date"] == "20260302"
