"""Collection configuration: the shipped interface v1 mapping, and every mistake named by its field."""
from importlib import resources

import pytest

from brokercrm.core.errors import InputRejected
from brokercrm.datacenter.sources.config import ODS_COLUMNS, default_source_config, load_source_config

SHIPPED = resources.files("brokercrm.datacenter.sources").joinpath("interface_v1.yaml").read_text(encoding="utf-8")


def rejected(text: str) -> list[str]:
    with pytest.raises(InputRejected) as refused:
        load_source_config(text)
    return [str(p) for p in refused.value.problems]


def test_shipped_configuration_maps_interface_v1_exactly():
    """Every ODS table and column, in interface order, with the interface's file names and keys."""
    config = default_source_config()
    assert [t.name for t in config.tables] == list(ODS_COLUMNS)
    assert {t.name: [c.ods for c in t.columns] for t in config.tables} == {
        t: [c for c, _ in cols] for t, cols in ODS_COLUMNS.items()}
    assert config.table("deliveries").file == "deliveries.csv"
    assert config.table("positions").key == ("biz_date", "customer_no", "market", "security_code")
    assert (config.date_format, config.folder_format, config.delimiter, config.manifest) == (
        "%Y-%m-%d", "%Y-%m-%d", ",", "manifest.json")
    assert config.table("deliveries").column("side").values == ("B", "S")


def test_yaml_that_does_not_parse():
    """A syntax error names the place in the YAML."""
    assert rejected("a: [") == ["config: not valid YAML at line 1, column 5: expected the node content, but found '<stream end>'"]


def test_unknown_column_type():
    """A type outside str, enum, date, money, price, int is named with its column's path."""
    text = SHIPPED.replace("{source: quantity, type: int}", "{source: quantity, type: float}", 1)
    assert rejected(text) == [
        "tables.deliveries.columns[6].type: unknown type 'float'; expected one of str, enum, date, money, price, int"]


def test_type_other_than_the_ods_column():
    """A delivered column feeds its ODS column with the ODS type."""
    text = SHIPPED.replace("{source: quantity, type: int}", "{source: quantity, type: money}", 1)
    assert rejected(text) == ["tables.deliveries.columns[6].type: ODS column quantity is int, not money"]


def test_ods_column_fed_by_nothing():
    """Every ODS column is mapped."""
    text = SHIPPED.replace("      - {source: channel, type: enum, values: [app, web, phone, counter]}\n", "")
    assert rejected(text) == ["tables.deliveries.columns: ODS column 'channel' is fed by no delivered column"]


def test_unknown_rule():
    """Checks name rules the data center implements."""
    text = SHIPPED.replace("{rule: trade_amount}", "{rule: trade_value}")
    assert rejected(text)[0].startswith("tables.deliveries.checks[6].rule: unknown rule 'trade_value'; expected one of ")


def test_enum_map_to_a_value_not_allowed():
    """A delivered code maps onto one of the enum's values."""
    text = SHIPPED.replace("{source: side, type: enum, values: [B, S]}",
                           '{source: side, type: enum, values: [B, S], map: {"1": B, "3": X}}')
    assert rejected(text) == ["tables.deliveries.columns[5].map: maps '3' to 'X', which is not one of the values"]


def test_date_format_that_cannot_round_trip():
    """A date format writes and reads back a date."""
    text = SHIPPED.replace('date_format: "%Y-%m-%d"', 'date_format: "YYYY"')
    assert rejected(text) == ["date_format: date format 'YYYY' cannot write and read back a date"]


def test_missing_table():
    """Every ODS table is fed by a delivered file."""
    start = SHIPPED.index("  assets:\n")
    end = SHIPPED.index("# Cross-file invariants")
    assert rejected(SHIPPED[:start] + SHIPPED[end:]) == ["tables: ODS table 'assets' is fed by no delivered file"]
