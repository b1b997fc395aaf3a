"""Alert rules on constructed warehouse data, evaluated by DuckDB with hand-computed expectations."""
from decimal import Decimal

import pytest

from brokercrm.datacenter import services
from brokercrm.datacenter.pipelines.crm import ingest_crm
from brokercrm.datacenter.pipelines.dw import build_dw
from brokercrm.servicing import rules
from brokercrm.servicing.tests.warehouse_data import DAYS, build, customer, dates, new_warehouse, position, security

# Building the warehouse reads the trading calendar, whose imported closures live in the app database.
pytestmark = pytest.mark.django_db


def _params(rule: str, **given) -> dict:
    params, problems = rules.parse_parameters(rule, given)
    assert problems == []
    return {rule: params}


def _hits(con, rule: str, **given) -> list[tuple[str, str, dict]]:
    found = rules.evaluate(con, dates=dates(*DAYS), rules=_params(rule, **given))
    return [(c.customer_no, c.biz_date.isoformat(), c.details) for c in found]


def _flat_assets(f, no: str, total, days=DAYS) -> None:
    for day in days:
        f.assets(day, no, total)


def test_large_withdrawal_fires_by_amount_or_by_share_of_the_previous_assets():
    """600,000 out of 1,000,000 and 60,000 out of 100,000 fire; 40,000 of 100,000 and 400,000 of 2,000,000 do not."""
    con, f = new_warehouse()
    for no, total, out in (("A", 1_000_000, -600_000), ("B", 100_000, -60_000), ("C", 100_000, -40_000), ("D", 2_000_000, -400_000)):
        customer(f, no)
        f.assets(DAYS[0], no, total)
        f.cash_flow(DAYS[1], no, flow_type="bank_out", amount=out)
        f.assets(DAYS[1], no, total + out)
    build(con, f)

    assert _hits(con, "large_withdrawal") == [
        ("A", "2026-03-03", {"amount": "600000.00", "base": "1000000.00"}),
        ("B", "2026-03-03", {"amount": "60000.00", "base": "100000.00"}),
    ]


def test_large_deposit_fires_at_the_threshold_and_not_a_cent_below():
    """Two transfers in totalling exactly 500,000.00 fire; 499,999.99 does not."""
    con, f = new_warehouse()
    customer(f, "A")
    customer(f, "B")
    f.cash_flow(DAYS[2], "A", flow_type="bank_in", amount="300000.00")
    f.cash_flow(DAYS[2], "A", flow_type="bank_in", amount="200000.00")
    f.cash_flow(DAYS[2], "B", flow_type="bank_in", amount="499999.99")
    build(con, f)

    assert _hits(con, "large_deposit") == [("A", "2026-03-04", {"amount": "500000.00"})]


def test_assets_drop_fires_when_the_drop_begins_and_not_again_while_it_lasts():
    """200,000 → 140,000 over 2 days is exactly 30 % down: one alert on day 3; day 4 is still down but already alerted."""
    con, f = new_warehouse()
    customer(f, "A")
    customer(f, "B")
    for day, a, b in zip(DAYS, (200_000, 190_000, 140_000, 130_000, 180_000), (200_000, 190_000, 140_001, 140_001, 140_001)):
        f.assets(day, "A", a)
        f.assets(day, "B", b)
    build(con, f)

    assert _hits(con, "assets_drop", days="2") == [("A", "2026-03-04", {"amount": "140000.00", "base": "200000.00"})]


def test_no_trade_fires_on_the_nth_trading_day_without_a_trade():
    """With N = 3: a trade on day 1 → alert on day 4; never traded → day 3; assets under the floor → never."""
    con, f = new_warehouse()
    for no, total in (("A", 20_000), ("B", 20_000), ("C", 5_000)):
        customer(f, no)
        _flat_assets(f, no, total)
    f.trade(DAYS[0], "A", amount="1000.00", commission="5.00")
    build(con, f)

    assert _hits(con, "no_trade", days="3") == [("B", "2026-03-04", {"amount": "20000.00"}),
                                                 ("A", "2026-03-05", {"amount": "20000.00"})]


def test_no_trade_counts_trades_and_first_days_before_the_dates_evaluated():
    """Evaluating only day 5 with N = 3: A traded on day 2 → alert; B opened on day 3 → alert; C has rows since day 1 → none."""
    con, f = new_warehouse()
    for no in ("A", "C"):
        customer(f, no)
    customer(f, "B", open_date=DAYS[2])
    _flat_assets(f, "A", 20_000)
    _flat_assets(f, "B", 20_000, days=DAYS[2:])
    _flat_assets(f, "C", 20_000)
    f.trade(DAYS[1], "A", amount="1000.00", commission="5.00")
    build(con, f)

    found = rules.evaluate(con, dates=dates(DAYS[4]), rules=_params("no_trade", days="3"))
    assert [(c.customer_no, c.biz_date.isoformat()) for c in found] == [("A", "2026-03-06"), ("B", "2026-03-06")]


def test_concentration_fires_when_one_security_passes_the_share():
    """90,000 of 100,000 (90 %) in one stock on day 2 fires once; 80,000 of 100,000 on day 1 already counts as 80 %."""
    con, f = new_warehouse()
    customer(f, "A")
    customer(f, "B")
    for day in DAYS:
        f.assets(day, "A", 100_000, cash=10_000 if day != DAYS[0] else 50_000)
        position(f, day, "A", "SH", "600519", 90_000 if day != DAYS[0] else 25_000)
        if day == DAYS[0]:
            position(f, day, "A", "SZ", "000001", 25_000)
    f.assets(DAYS[0], "B", 100_000, cash=20_000)
    position(f, DAYS[0], "B", "SZ", "000001", 80_000)
    build(con, f)

    assert _hits(con, "concentration") == [
        ("B", "2026-03-02", {"amount": "80000.00", "base": "100000.00", "security": "SZ.000001"}),
        ("A", "2026-03-03", {"amount": "90000.00", "base": "100000.00", "security": "SH.600519"}),
    ]


def test_account_closing_fires_on_the_close_date():
    """A customer closing on day 3 raises one alert that day."""
    con, f = new_warehouse()
    customer(f, "A", close_date=DAYS[2])
    customer(f, "B")
    build(con, f)

    assert _hits(con, "account_closing") == [("A", "2026-03-04", {})]


def test_questionnaire_expired_while_holding_a_product_above_the_customers_level():
    """C2 assessed over 2 years ago holding R3 fires; C4 holding R3, or C2 assessed recently, or holding R2 do not."""
    con, f = new_warehouse()
    security(f, "SH", "600000", "R3")
    security(f, "OF", "F00001", "R2")
    for no, level, assessed, code in (("A", "C2", "2023-01-01", "600000"), ("B", "C4", "2023-01-01", "600000"),
                                      ("C", "C2", "2025-06-01", "600000"), ("D", "C2", "2023-01-01", "F00001")):
        customer(f, no, risk_level=level, assessed=assessed)
        f.assets(DAYS[0], no, 50_000, cash=0)
        position(f, DAYS[0], no, "OF" if code.startswith("F") else "SH", code, 50_000)
    build(con, f)

    assert _hits(con, "questionnaire_expired") == [("A", "2026-03-02", {"security": "SH.600000"})]


def test_bad_parameters_are_named_and_defaults_fill_the_gaps():
    """Unknown names, non-numbers and out-of-range values are each reported with their field."""
    params, problems = rules.parse_parameters("assets_drop", {"percent": "130", "days": "x", "color": "red"})
    assert [str(p) for p in problems] == ["color: unknown parameter (allowed: percent, days, min_assets)",
                                          "percent: must be between 0 and 100", "days: 'x' is not a number"]
    params, problems = rules.parse_parameters("large_deposit", {})
    assert problems == [] and params == {"amount": Decimal("500000.00")}


def test_no_trade_counts_trading_days_across_the_year_end_by_the_imported_closures():
    """2027 closes 1 and 4 January: with N = 2, a trade on 2026-12-30 fires on 2027-01-05 (12-31 is day 1), not later."""
    services.closures_import(actor=None, data="date,reason\n2027-01-01,元旦\n2027-01-04,测试休市\n".encode(), file_name="2027.csv")
    year_end = ("2026-12-30", "2026-12-31", "2027-01-05", "2027-01-06")
    con, f = new_warehouse(*year_end)
    f.branch("0001", on=year_end[0])
    f.customer("A", on=year_end[0], branch="0001", open_date="2020-01-02")
    for day in year_end:
        f.assets(day, "A", 20_000)
    f.trade(year_end[0], "A", amount="1000.00", commission="5.00")
    f.save()
    ingest_crm(con, staff=[], development_relations=[])
    build_dw(con)

    found = rules.evaluate(con, dates=dates(*year_end), rules=_params("no_trade", days="2"))
    assert [(c.customer_no, c.biz_date.isoformat()) for c in found] == [("A", "2027-01-05")]
