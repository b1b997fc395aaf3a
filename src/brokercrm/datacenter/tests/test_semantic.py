"""The semantic layer against the indicator exports: every measure, at every level and grain, on the rich brokerage."""
import csv
import datetime as dt
from decimal import Decimal

import pytest

from brokercrm.core.exports import csv_cell
from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.pipelines.dm import COUNTS, GRAINS, INDICATORS
from brokercrm.datacenter.pipelines.publish import publish_marts
from brokercrm.datacenter import semantic
from brokercrm.datacenter.semantic import SemanticError, SemanticQuery, semantic_query
from brokercrm.datacenter.tests.ods_factory import build, d, rich_brokerage
from brokercrm.datacenter.warehouse import connect

KEYS = {"customer": "customer_no", "staff": "staff_no", "branch": "branch_code"}


@pytest.fixture
def published(tmp_path, settings):
    """The rich brokerage loaded into a warehouse and published where the reader looks."""
    con = connect(tmp_path / "warehouse.duckdb")
    staff_rows, relations = rich_brokerage(con)
    build(con, staff_rows=staff_rows, relations=relations)
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    publish_marts(con, settings.WAREHOUSE_SNAPSHOT_DIR)
    yield con
    con.close()


def _export(con, tmp_path, level, grain, date_from, date_to) -> dict[tuple[str, str], dict[str, str]]:
    out = tmp_path / f"{level}_{grain}.csv"
    export_indicators(con, level=level, grain=grain, date_from=date_from, date_to=date_to, out=out)
    with open(out, encoding="utf-8", newline="") as fh:
        return {(r["key"], r["period"]): r for r in csv.DictReader(fh)}


def _query(level, grain, date_from, date_to, measures, **extra) -> dict[tuple[str, str], dict[str, str]]:
    result = semantic_query(SemanticQuery(measures=measures, by=(KEYS[level], grain), date_from=date_from,
                                          date_to=date_to, **extra))
    return {(r[0], r[1]): dict(zip(measures, (csv_cell(v) for v in r[2:]))) for r in result.rows}


def _zero(row: dict[str, str], measures) -> bool:
    return all(row[m] in ("", "0", "0.00") for m in measures)


@pytest.mark.parametrize("level", ["customer", "staff", "branch"])
@pytest.mark.parametrize("grain", GRAINS)
@pytest.mark.parametrize("span", [("2026-03-01", "2026-04-30"), ("2026-03-30", "2026-04-01")])
@pytest.mark.parametrize("where", ["", 'year != ""'])
def test_every_measure_equals_the_export(published, tmp_path, level, grain, span, where):
    """Grouped by the level's key and the grain, each measure equals the export's column; rows the query leaves out
    are all-zero rows of the export, and the query invents no row. Both routes: the marts' fast path (whole periods,
    no filter) and the compiled query from the facts (a filter on a dimension the mart lacks forces it)."""
    date_from, date_to = d(span[0]), d(span[1])
    measures = (*INDICATORS, *(COUNTS if level != "customer" else ()))
    exported = _export(published, tmp_path, level, grain, date_from, date_to)
    queried = _query(level, grain, date_from, date_to, measures, where=where)
    assert queried, "the rich brokerage has facts in every span"
    for key, values in queried.items():
        assert key in exported, key
        assert values == {m: exported[key][m] for m in measures}, key
    for key, row in exported.items():
        if key not in queried:
            assert _zero(row, measures), key


def test_unattributed_sorts_last_and_columns_follow_the_request(published):
    """Columns are the dimensions then the measures as asked; UNATTRIBUTED comes after every staff number."""
    result = semantic_query(SemanticQuery(measures=("net_commission", "trade_count"), by=("month", "staff_no"),
                                          date_from=d("2026-03-01"), date_to=d("2026-04-30")))
    assert result.columns == ("month", "staff_no", "net_commission", "trade_count")
    march = [r[1] for r in result.rows if r[0] == "2026-03"]
    assert march[-1] == "UNATTRIBUTED" and march == sorted(march[:-1]) + ["UNATTRIBUTED"]


def test_scope_counts_only_the_customers_given(published, tmp_path):
    """A scope of one customer gives that customer's numbers, at any key: the branch total is the customer's own."""
    mine = _query("customer", "month", d("2026-03-01"), d("2026-04-30"), INDICATORS)
    scoped = semantic_query(SemanticQuery(measures=("trade_amount", "net_inflow"), by=("month",),
                                          date_from=d("2026-03-01"), date_to=d("2026-04-30"), customers=("10000004",)))
    expected = {p: (v["trade_amount"], v["net_inflow"]) for (k, p), v in mine.items() if k == "10000004"}
    assert {r[0]: (csv_cell(r[1]), csv_cell(r[2])) for r in scoped.rows} == expected
    nobody = semantic_query(SemanticQuery(measures=("trade_amount",), by=("branch_code",), date_from=d("2026-03-01"),
                                          date_to=d("2026-04-30"), customers=()))
    assert nobody.rows == ()


def test_filter_on_a_dimension_restricts_the_facts(published):
    """`branch_code == "0102"` grouped by nothing equals the branch export's 0102 row summed over the range."""
    total = semantic_query(SemanticQuery(measures=("trade_amount", "trade_count"), by=(), date_from=d("2026-03-01"),
                                         date_to=d("2026-04-30"), where='branch_code == "0102"'))
    by_branch = semantic_query(SemanticQuery(measures=("trade_amount", "trade_count"), by=("branch_code",),
                                             date_from=d("2026-03-01"), date_to=d("2026-04-30")))
    assert total.rows == tuple(r[1:] for r in by_branch.rows if r[0] == "0102")


@pytest.mark.parametrize("query, field, value", [
    (dict(measures=("nope",), by=("month",)), "measures", "nope"),
    (dict(measures=("commission",), by=("colour",)), "by", "colour"),
    (dict(measures=("commission",), by=("month", "year")), "by", "month,year"),
    (dict(measures=("commission",), by=(), where="salary > 3"), "where", "salary > 3"),
])
def test_refusals_name_the_parameter_and_value(published, query, field, value):
    """Unknown measure or dimension, two time dimensions, a filter naming an unknown column: refused, named."""
    with pytest.raises(SemanticError) as caught:
        semantic_query(SemanticQuery(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 4, 30), **query))
    assert (caught.value.field, caught.value.value) == (field, value)


def test_a_filter_error_names_its_column(published):
    """A syntax error in the filter carries the column where it was found."""
    with pytest.raises(SemanticError) as caught:
        semantic_query(SemanticQuery(measures=("commission",), by=(), date_from=d("2026-03-01"), date_to=d("2026-04-30"),
                                     where='branch_code == '))
    assert caught.value.column is not None and "column" in caught.value.message


def test_whole_months_without_filter_are_read_from_the_mart(published, monkeypatch):
    """staff × month over whole published months takes the fast path (the compiled query is never built) and gives
    the rows the compiled query gives; so does a filter naming only the staff and the month."""
    query = SemanticQuery(measures=(*INDICATORS, *COUNTS), by=("staff_no", "month"), date_from=d("2026-03-01"),
                          date_to=d("2026-04-30"))
    keyed = SemanticQuery(**{**query.__dict__, "where": 'staff_no != "UNATTRIBUTED" and month == "2026-04"'})
    compiled = semantic_query(SemanticQuery(**{**query.__dict__, "where": 'year != ""'})).rows
    compiled_keyed = semantic_query(SemanticQuery(**{**keyed.__dict__, "where": keyed.where + ' and year != ""'})).rows

    def refuse(*args, **kwargs):
        raise AssertionError("the compiled query was built")

    monkeypatch.setattr(semantic, "semantic_sql", refuse)
    assert semantic_query(query).rows == compiled
    assert semantic_query(keyed).rows == compiled_keyed
    assert compiled_keyed and all(r[0] != "UNATTRIBUTED" and r[1] == "2026-04" for r in compiled_keyed)


def test_rows_are_the_groups_with_facts_of_the_measures_asked(published):
    """A trade measure alone lists the groups with trades (only those fact tables are read), on both routes; asked
    with an asset measure it lists the groups with assets as well."""
    span = dict(by=("staff_no", "month"), date_from=d("2026-03-01"), date_to=d("2026-04-30"))
    traded = semantic_query(SemanticQuery(measures=("trade_count",), **span)).rows
    compiled = semantic_query(SemanticQuery(measures=("trade_count",), where='year != ""', **span)).rows
    both = semantic_query(SemanticQuery(measures=("trade_count", "end_assets"), **span)).rows
    assert traded == compiled
    assert all(r[2] > 0 for r in traded)
    assert {r[:2] for r in traded} < {r[:2] for r in both}


BANDS = ((Decimal("0"), "<1万"), (Decimal("10000"), "1–10万"), (Decimal("100000"), "≥10万"))


def test_asset_band_is_the_band_of_the_month_end_assets(published):
    """Each customer-month falls in the band of its end assets in the customer mart; the bands sort in their own
    order; counted by band, the customers add up to the total."""
    span = dict(date_from=d("2026-03-01"), date_to=d("2026-04-30"), asset_bands=BANDS)
    rows = semantic_query(SemanticQuery(measures=("end_assets",), by=("customer_no", "month", "asset_band"), **span)).rows
    expected = {(no, month): next(label for lower, label in reversed(BANDS) if (end or 0) >= lower)
                for no, month, end in published.execute("SELECT key, period, end_assets FROM dm.customer_month "
                                                        "WHERE period IN ('2026-03', '2026-04')").fetchall()}
    assert rows and all(band == expected[(no, month)] for no, month, band, _ in rows)
    by_band = semantic_query(SemanticQuery(measures=("customer_count",), by=("month", "asset_band"), **span)).rows
    total = semantic_query(SemanticQuery(measures=("customer_count",), by=("month",), **span)).rows
    order = [label for _, label in BANDS]
    for month, count in total:
        bands = [r for r in by_band if r[0] == month]
        assert sum(r[2] for r in bands) == count
        assert [r[1] for r in bands] == sorted((r[1] for r in bands), key=order.index)


def test_behaviour_groups_count_each_customer_in_each_of_its_groups(published):
    """A customer in two groups of a month counts in both; the groups are those of the fact's month."""
    span = dict(date_from=d("2026-03-01"), date_to=d("2026-03-31"))
    one = semantic_query(SemanticQuery(measures=("net_commission",), by=("customer_no",), **span)).rows[0]
    no = one[0]
    groups = {(no, "2026-03"): ("活跃交易", "高净值"), (no, "2026-04"): ("沉睡",)}
    rows = semantic_query(SemanticQuery(measures=("net_commission",), by=("behaviour_group",),
                                        where=f'customer_no == "{no}"', behaviour_groups=groups, **span)).rows
    assert rows == (("活跃交易", one[1]), ("高净值", one[1]))
