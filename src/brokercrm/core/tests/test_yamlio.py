"""core.yamlio: the one YAML reader and writer of configuration files."""
from decimal import Decimal

import pytest

from brokercrm.core.errors import InputRejected
from brokercrm.core.yamlio import Collector, dump, keys, line_of, load

DOC = """format: scheme
name: 测试
rate: 0.1
items:
  - code: a
    weight: 1.50
  - code: b
    extra: x
"""


def test_load_keeps_decimals_exact_and_remembers_lines():
    """Given a scheme file, when loaded, then numbers are exact Decimals and every mapping and key knows its line."""
    doc = load(DOC.encode(), file="s.yaml", expected_format="scheme")

    assert doc["rate"] == Decimal("0.1") and doc["items"][0]["weight"] == Decimal("1.50")
    assert keys(doc) == {"format", "name", "rate", "items"}
    assert line_of(doc["items"][1]) == 7 and line_of(doc["items"][1], "extra") == 8 and line_of(doc, "rate") == 3


@pytest.mark.parametrize("data, message, line", [
    (b"\xff\xfe", "s.yaml:1:: not valid UTF-8", 1),
    (b"a: [1,\n", "s.yaml:2:: not valid YAML: expected the node content, but found '<stream end>'", 2),
    (b"format: other\n", "s.yaml:1:format: expected a mapping with format: scheme", 1),
    (b"- 1\n", "s.yaml:1:format: expected a mapping with format: scheme", 1),
])
def test_load_refuses_what_is_not_the_expected_file(data, message, line):
    with pytest.raises(InputRejected) as exc:
        load(data, file="s.yaml", expected_format="scheme")
    assert [str(p) for p in exc.value.problems] == [message] and exc.value.problems[0].line == line


def test_collector_names_file_line_and_field_and_raises_all_at_once():
    """Given a file with a missing code, a bad number, an unknown key and a non-list, every problem is listed in line order."""
    doc = load(DOC + "weights: 3\n", file="s.yaml")
    check = Collector("s.yaml")
    first, second = check.items(doc, "items")

    assert check.text(first, "code") == "a" and check.decimal(first, "weight") == Decimal("1.50")
    assert check.decimal(second, "weight") is None
    check.unknown_keys(second, {"code", "weight"}, where="items[2]")
    assert check.items(doc, "weights") == []
    with pytest.raises(InputRejected) as exc:
        check.raise_if_any()

    assert [str(p) for p in exc.value.problems] == [
        "s.yaml:1:weights: must be a list of mappings",
        "s.yaml:7:weight: is required",
        "s.yaml:8:items[2].extra: unknown key",
    ]


def test_dump_keeps_order_and_chinese_readable():
    assert dump({"name": "测试", "a": 1}) == "name: 测试\na: 1\n"
