"""DW layer: customer history, attribution on facts, incremental and idempotent builds, the CRM copy."""
import datetime as dt

import pytest

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines.crm import ingest_crm
from brokercrm.datacenter.pipelines.dw import build_dw
from brokercrm.datacenter.tests.ods_factory import OdsFactory, d, relation, staff
from brokercrm.datacenter.warehouse import connect

FACT_TABLES = ("customer_days", "fact_trades", "fact_cash_flows", "fact_security_transfers", "fact_positions",
               "fact_assets", "customer_versions", "staff_attribution", "branch_attribution")


def _day_one(f: OdsFactory) -> None:
    f.day("2026-03-30").branch("0101", on="2026-03-30").branch("0102", on="2026-03-30")
    f.customer("C1", on="2026-03-30", branch="0101", open_date="2020-01-02")
    f.customer("C2", on="2026-03-30", branch="0101", open_date="2020-01-02")
    f.assets("2026-03-30", "C1", "100.00").assets("2026-03-30", "C2", "5.00")
    f.position("2026-03-30", "C1", market_value="60.00")
    f.trade("2026-03-30", "C1", amount="1000.00", commission="5.00")


def _day_two(f: OdsFactory) -> None:
    f.day("2026-03-31")
    f.customer("C1", on="2026-03-31", branch="0102", open_date="2020-01-02")
    f.assets("2026-03-31", "C1", "110.00").assets("2026-03-31", "C2", "5.00")
    f.cash_flow("2026-03-31", "C2", flow_type="bank_in", amount="10.00")
    f.transfer("2026-03-31", "C2", direction="in", value="3.00")


def _snapshot(con) -> dict[str, list[tuple]]:
    return {t: sorted(con.execute(f"SELECT * FROM dw.{t}").fetchall(), key=repr) for t in FACT_TABLES}


def _relations():
    return [relation("C1", "S1", "2026-03-31"), relation("C2", "S2", "2020-01-01", "2026-03-31")]


def test_customer_versions_start_at_open_date_then_at_each_delivery():
    """C1's first version is in force from open_date to the day before its second delivery, which stays open."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    _day_two(f)
    f.save()
    build_dw(con)
    assert con.execute("SELECT valid_from, valid_to, branch_code FROM dw.customer_versions WHERE customer_no = 'C1' "
                       "ORDER BY valid_from").fetchall() == [
        (d("2020-01-02"), d("2026-03-31"), "0101"), (d("2026-03-31"), None, "0102")]
    assert con.execute("SELECT branch_code FROM dw.customers_current WHERE customer_no = 'C1'").fetchall() == [("0102",)]
    assert con.execute("SELECT business_date, loaded FROM dw.calendar").fetchall() == [
        (d("2026-03-30"), True), (d("2026-03-31"), True)]


def test_facts_carry_the_branch_and_development_relation_in_force_on_their_date():
    """C1's 03-30 assets: branch 0101, no relation (NULL); 03-31: branch 0102, staff S1; C2 loses S2 on 03-31."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    _day_two(f)
    f.save()
    ingest_crm(con, staff=[staff("S1"), staff("S2")], development_relations=_relations())
    build_dw(con)
    assert con.execute("SELECT customer_no, biz_date, branch_code, staff_no FROM dw.fact_assets "
                       "ORDER BY customer_no, biz_date").fetchall() == [
        ("C1", d("2026-03-30"), "0101", None), ("C1", d("2026-03-31"), "0102", "S1"),
        ("C2", d("2026-03-30"), "0101", "S2"), ("C2", d("2026-03-31"), "0101", None)]
    assert con.execute("SELECT branch_code, staff_no FROM dw.fact_positions").fetchall() == [("0101", None)]
    assert con.execute("SELECT staff_no FROM dw.fact_cash_flows UNION ALL "
                       "SELECT staff_no FROM dw.fact_security_transfers").fetchall() == [(None,), (None,)]


def test_staff_attribution_intervals_cover_the_open_period_with_gaps_unattributed():
    """C2: S2 until 03-31, then unattributed with no end; C1: unattributed until 03-31, then S1."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    f.save()
    ingest_crm(con, staff=[staff("S1"), staff("S2")], development_relations=_relations())
    build_dw(con)
    assert con.execute("SELECT customer_no, staff_no, valid_from, valid_to FROM dw.staff_attribution "
                       "ORDER BY customer_no, valid_from").fetchall() == [
        ("C1", None, d("2020-01-02"), d("2026-03-31")), ("C1", "S1", d("2026-03-31"), None),
        ("C2", "S2", d("2020-01-02"), d("2026-03-31")), ("C2", None, d("2026-03-31"), None)]


def test_rebuilding_without_changes_changes_nothing():
    """A second build finds nothing to do and leaves every DW table as it was."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    f.save()
    first = build_dw(con)
    before = _snapshot(con)
    second = build_dw(con)
    assert (first.full, second.full, second.dates) == (True, False, ())
    assert _snapshot(con) == before


def test_a_new_later_day_is_built_incrementally_and_equals_a_full_build():
    """Day two is added alone (not a full rebuild); the result is identical to building both days at once."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    f.save()
    build_dw(con)
    _day_two(f)
    f.save()
    result = build_dw(con)
    assert (result.full, result.dates) == (False, (d("2026-03-31"),))
    full = build_dw(con, full=True)
    assert full.full
    incremental = _snapshot(con)
    fresh = connect(":memory:")
    g = OdsFactory(fresh)
    _day_one(g)
    _day_two(g)
    g.save()
    build_dw(fresh)
    assert _snapshot(fresh) == incremental


def test_new_crm_content_rebuilds_attribution_of_every_fact():
    """Relations imported after the load re-attribute earlier facts (only the changed customer's rows are redone)."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    f.save()
    build_dw(con)
    assert con.execute("SELECT count(*) FROM dw.fact_assets WHERE staff_no IS NOT NULL").fetchone()[0] == 0
    assert ingest_crm(con, staff=[staff("S2")], development_relations=[relation("C2", "S2", "2020-01-01")])
    result = build_dw(con)
    assert (result.full, result.restamped) == (False, 1)
    assert con.execute("SELECT customer_no, staff_no FROM dw.fact_assets ORDER BY 1").fetchall() == [
        ("C1", None), ("C2", "S2")]


def test_a_crm_change_restamps_only_the_changed_customers_and_equals_a_full_build():
    """C1 gains S1 from 03-31 after two days are built: one customer redone, every DW table as a fresh full build."""
    con, fresh = connect(":memory:"), connect(":memory:")
    for target in (con, fresh):
        f = OdsFactory(target)
        _day_one(f)
        _day_two(f)
        f.save()
    ingest_crm(con, staff=[staff("S1"), staff("S2")], development_relations=[_relations()[1]])
    build_dw(con)
    ingest_crm(con, staff=[staff("S1"), staff("S2")], development_relations=_relations())
    result = build_dw(con)
    assert (result.full, result.restamped) == (False, 1)
    assert con.execute("SELECT biz_date, staff_no FROM dw.fact_assets WHERE customer_no = 'C1' ORDER BY 1").fetchall() == [
        (d("2026-03-30"), None), (d("2026-03-31"), "S1")]
    ingest_crm(fresh, staff=[staff("S1"), staff("S2")], development_relations=_relations())
    assert build_dw(fresh).full
    assert _snapshot(con) == _snapshot(fresh)
    assert not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'restamp_customers'").fetchone()[0]


def test_a_staff_only_change_touches_no_fact():
    """New staff with the same relations: no customer to restamp, facts kept as they were."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    f.save()
    ingest_crm(con, staff=[staff("S2")], development_relations=[relation("C2", "S2", "2020-01-01")])
    build_dw(con)
    ingest_crm(con, staff=[staff("S2"), staff("S9")], development_relations=[relation("C2", "S2", "2020-01-01")])
    result = build_dw(con)
    assert (result.full, result.restamped, result.dates) == (False, 0, ())
    assert con.execute("SELECT staff_no FROM dw.staff ORDER BY 1").fetchall() == [("S2",), ("S9",)]


def test_a_reloaded_day_replaces_its_facts():
    """Day one reloaded under a new load id with other rows: its old facts are gone, the new ones are there."""
    con = connect(":memory:")
    f = OdsFactory(con)
    _day_one(f)
    f.save()
    build_dw(con)
    con.execute("DELETE FROM ods.assets WHERE customer_no = 'C2'")
    con.execute("UPDATE ods.loaded_days SET load_id = 2")
    result = build_dw(con)
    assert result.full
    assert con.execute("SELECT customer_no FROM dw.fact_assets").fetchall() == [("C1",)]


def test_ingest_crm_reports_whether_anything_changed():
    """First ingest and a changed relation report True; the same rows again report False."""
    con = connect(":memory:")
    rows = dict(staff=[staff("S1")], development_relations=[relation("C1", "S1", "2026-01-05")])
    assert ingest_crm(con, **rows) is True
    assert ingest_crm(con, **rows) is False
    assert ingest_crm(con, staff=[staff("S1")],
                      development_relations=[relation("C1", "S1", "2026-01-05", "2026-03-02")]) is True
    assert con.execute("SELECT customer_no, staff_no, start_date, end_date FROM crm.development_relations").fetchall() == [
        ("C1", "S1", dt.date(2026, 1, 5), dt.date(2026, 3, 2))]


def test_overlapping_development_relations_are_refused_and_nothing_changes():
    """Two relations of C1 overlapping on 03-01 are refused with the customer named; the copy stays as it was."""
    con = connect(":memory:")
    ingest_crm(con, staff=[staff("S1")], development_relations=[relation("C1", "S1", "2026-01-05")])
    with pytest.raises(DomainError, match="customer C1 has overlapping development relations"):
        ingest_crm(con, staff=[staff("S1"), staff("S2")],
                   development_relations=[relation("C1", "S1", "2026-01-05", "2026-03-02"),
                                          relation("C1", "S2", "2026-03-01")])
    assert con.execute("SELECT count(*) FROM crm.development_relations").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM crm.staff").fetchone()[0] == 1
