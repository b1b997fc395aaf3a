"""Indicator marts against hand-computed values, one metrics.md rule per test.

Loaded days are 2026-03-30, 03-31, 04-01, 04-02 unless a test says otherwise, so March's T(P) is
clipped to {03-30, 03-31} and April's to {04-01, 04-02}.
"""
from decimal import Decimal

from brokercrm.datacenter.tests.ods_factory import OdsFactory, build, mart, relation, staff
from brokercrm.datacenter.warehouse import connect

DAYS = ("2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02")
MONEY_COLUMNS = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days",
                 "commission", "net_commission", "commission_rate")


def brokerage(days=DAYS, branches=("0101",)):
    con = connect(":memory:")
    f = OdsFactory(con).day(*days)
    for code in branches:
        f.branch(code, on=days[0])
    return con, f


def pick(row, *columns):
    return {c: row[c] for c in columns}


def test_avg_daily_assets_counts_missing_rows_as_zero_and_rounds_half_up_at_the_end():
    """0.05 over two days is 0.025 → 0.03; a missing last-day row makes end_assets 0.00 and halves April."""
    con, f = brokerage()
    f.customer("C1", on=DAYS[0], branch="0101", open_date="2020-01-02")
    f.assets("2026-03-30", "C1", "0.01").assets("2026-03-31", "C1", "0.04").assets("2026-04-01", "C1", "100.00")
    f.save()
    build(con)
    rows = mart(con, "customer", "month")
    assert pick(rows["C1", "2026-03"], "avg_daily_assets", "end_assets", "trading_days") == {
        "avg_daily_assets": "0.03", "end_assets": "0.04", "trading_days": "2"}
    assert pick(rows["C1", "2026-04"], "avg_daily_assets", "end_assets", "trading_days") == {
        "avg_daily_assets": "50.00", "end_assets": "0.00", "trading_days": "2"}


def test_trading_days_between_loaded_days_count_even_when_not_loaded():
    """03-31 is an XSHG trading day between the first and last loaded days: it is in T(P) with assets 0."""
    con, f = brokerage(days=("2026-03-30", "2026-04-01"))
    f.customer("C1", on="2026-03-30", branch="0101", open_date="2020-01-02")
    f.assets("2026-03-30", "C1", "10.00").assets("2026-04-01", "C1", "7.00")
    f.save()
    build(con)
    assert pick(mart(con, "customer", "month")["C1", "2026-03"], "avg_daily_assets", "end_assets", "trading_days") == {
        "avg_daily_assets": "5.00", "end_assets": "0.00", "trading_days": "2"}
    day = mart(con, "customer", "day")
    assert sorted(period for _, period in day) == ["2026-03-30", "2026-03-31", "2026-04-01"]
    assert day["C1", "2026-03-31"]["avg_daily_assets"] == "0.00"


def test_net_inflow_is_bank_transfers_plus_securities_in_minus_out():
    """bank_in 1000.00, bank_out −300.50, transfer in 500.00, out 200.25 → 999.25; dividend and interest excluded."""
    con, f = brokerage()
    f.customer("C1", on=DAYS[0], branch="0101", open_date="2020-01-02")
    f.cash_flow("2026-03-30", "C1", flow_type="bank_in", amount="1000.00")
    f.cash_flow("2026-03-31", "C1", flow_type="bank_out", amount="-300.50")
    f.cash_flow("2026-03-31", "C1", flow_type="dividend", amount="12.34")
    f.cash_flow("2026-03-31", "C1", flow_type="interest", amount="1.00")
    f.transfer("2026-03-30", "C1", direction="in", value="500.00")
    f.transfer("2026-03-31", "C1", direction="out", value="200.25")
    f.save()
    build(con)
    assert mart(con, "customer", "month")["C1", "2026-03"]["net_inflow"] == "999.25"
    assert mart(con, "customer", "day")["C1", "2026-03-31"]["net_inflow"] == "-500.75"


def test_trade_indicators_and_commission_rate_to_six_decimals():
    """Three trades on two days: 35000.00, 3 trades, 2 active days, 16.00 commission, 14.11 net, rate 0.000457."""
    con, f = brokerage()
    f.customer("C1", on=DAYS[0], branch="0101", open_date="2020-01-02")
    f.trade("2026-03-30", "C1", amount="10000.00", commission="5.00", handling_fee="0.34", regulatory_fee="0.20")
    f.trade("2026-03-31", "C1", amount="20000.00", commission="6.00", handling_fee="0.68", regulatory_fee="0.40")
    f.trade("2026-03-31", "C1", amount="5000.00", commission="5.00", handling_fee="0.17", regulatory_fee="0.10",
            side="S")
    f.save()
    build(con)
    assert pick(mart(con, "customer", "month")["C1", "2026-03"], *MONEY_COLUMNS[3:]) == {
        "trade_amount": "35000.00", "trade_count": "3", "active_days": "2", "commission": "16.00",
        "net_commission": "14.11", "commission_rate": "0.000457"}


def test_commission_rate_rounds_half_up_and_is_null_without_trades():
    """0.01 / 20000.00 = 0.0000005 → 0.000001 (half-up, not to even); no trades → NULL."""
    con, f = brokerage()
    f.customer("C1", on=DAYS[0], branch="0101", open_date="2020-01-02")
    f.customer("C2", on=DAYS[0], branch="0101", open_date="2020-01-02")
    f.trade("2026-03-30", "C1", amount="20000.00", commission="0.01")
    f.assets("2026-03-30", "C2", "1.00")
    f.save()
    build(con)
    rows = mart(con, "customer", "month")
    assert rows["C1", "2026-03"]["commission_rate"] == "0.000001"
    assert rows["C2", "2026-03"]["commission_rate"] is None


def test_negative_averages_round_away_from_zero_and_tiny_ones_give_plain_zero():
    """−0.01 over April's 2 days → −0.01 (half away from zero); −0.01 over March's 3 → 0.00, never −0.00."""
    con, f = brokerage(days=("2026-03-27", "2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"))
    f.customer("C1", on="2026-03-27", branch="0101", open_date="2020-01-02")
    f.customer("C2", on="2026-03-27", branch="0101", open_date="2020-01-02")
    f.assets("2026-04-01", "C1", "-0.01").assets("2026-03-30", "C2", "-0.01")
    f.cash_flow("2026-04-01", "C2", flow_type="bank_in", amount="100.00")
    f.cash_flow("2026-04-01", "C2", flow_type="bank_out", amount="-100.00")
    f.save()
    build(con)
    customers = mart(con, "customer", "month")
    assert customers["C1", "2026-04"]["avg_daily_assets"] == "-0.01"
    assert customers["C2", "2026-03"]["avg_daily_assets"] == "0.00"
    assert customers["C2", "2026-04"]["net_inflow"] == "0.00"
    assert mart(con, "staff", "month")["UNATTRIBUTED", "2026-03"]["avg_daily_assets"] == "0.00"


def _staff_case():
    con, f = brokerage()
    for no in ("C1", "C2"):
        f.customer(no, on=DAYS[0], branch="0101", open_date="2020-01-02")
        for day in DAYS:
            f.assets(day, no, "100.00" if no == "C1" else "50.00")
    f.trade("2026-03-30", "C1", amount="1000.00", commission="5.00")
    f.trade("2026-03-31", "C1", amount="2000.00", commission="5.00")
    f.trade("2026-03-31", "C2", amount="3000.00", commission="6.00")
    f.save()
    build(con,
          staff_rows=[staff("S1"), staff("S2", leave="2026-03-31"), staff("S3", hire="2026-04-02"),
                      staff("S4", leave="2026-01-01")],
          relations=[relation("C1", "S1", "2020-01-01", "2026-03-31"), relation("C1", "S2", "2026-03-31"),
                     relation("C2", "S1", "2026-04-01")])
    return mart(con, "staff", "month")


def test_relation_switching_mid_month_splits_facts_by_their_date():
    """C1 moves from S1 to S2 on 03-31: S1 keeps 03-30 (avg 50.00, end 0.00), S2 gets 03-31 and the count."""
    rows = _staff_case()
    assert pick(rows["S1", "2026-03"], *MONEY_COLUMNS, "customer_count") == {
        "avg_daily_assets": "50.00", "end_assets": "0.00", "net_inflow": "0.00", "trade_amount": "1000.00",
        "trade_count": "1", "active_days": "1", "commission": "5.00", "net_commission": "5.00",
        "commission_rate": "0.005000", "customer_count": "0"}
    assert pick(rows["S2", "2026-03"], "avg_daily_assets", "end_assets", "trade_amount", "commission_rate",
                "customer_count") == {"avg_daily_assets": "50.00", "end_assets": "100.00", "trade_amount": "2000.00",
                                      "commission_rate": "0.002500", "customer_count": "1"}


def test_unattributed_facts_form_their_own_row_with_every_indicator_and_count():
    """C2 has no relation in March: UNATTRIBUTED carries its assets, trade and customer_count; none in April."""
    rows = _staff_case()
    assert pick(rows["UNATTRIBUTED", "2026-03"], *MONEY_COLUMNS, "customer_count", "new_customers") == {
        "avg_daily_assets": "50.00", "end_assets": "50.00", "net_inflow": "0.00", "trade_amount": "3000.00",
        "trade_count": "1", "active_days": "1", "commission": "6.00", "net_commission": "6.00",
        "commission_rate": "0.002000", "customer_count": "1", "new_customers": "0"}
    assert ("UNATTRIBUTED", "2026-04") not in rows


def test_a_relation_keeps_attributing_after_its_staff_member_left():
    """S2 left on 03-31 but still holds C1's relation: April facts and count stay with S2."""
    rows = _staff_case()
    assert pick(rows["S2", "2026-04"], "avg_daily_assets", "end_assets", "customer_count") == {
        "avg_daily_assets": "100.00", "end_assets": "100.00", "customer_count": "1"}


def test_staff_rows_exist_when_employed_in_the_period_or_attributed():
    """S3 (hired 04-02) has an April row only; S4 (left in January) has none; S2 has both months."""
    rows = _staff_case()
    assert sorted(rows) == [("S1", "2026-03"), ("S1", "2026-04"), ("S2", "2026-03"), ("S2", "2026-04"),
                            ("S3", "2026-04"), ("UNATTRIBUTED", "2026-03")]
    assert pick(rows["S3", "2026-04"], "avg_daily_assets", "customer_count", "commission_rate") == {
        "avg_daily_assets": "0.00", "customer_count": "0", "commission_rate": None}


def test_branch_change_mid_month_moves_only_later_facts():
    """C1 moves from 0101 to 0102 on 03-31; a branch opened 04-01 appears from April on."""
    con, f = brokerage(branches=("0101", "0102"))
    f.branch("0103", on=DAYS[0], opened_on="2026-04-01")
    f.customer("C1", on="2026-03-30", branch="0101", open_date="2020-01-02")
    f.customer("C1", on="2026-03-31", branch="0102", open_date="2020-01-02")
    for day in DAYS:
        f.assets(day, "C1", "100.00")
    f.trade("2026-03-30", "C1", amount="1000.00", commission="5.00")
    f.save()
    build(con)
    rows = mart(con, "branch", "month")
    assert pick(rows["0101", "2026-03"], "avg_daily_assets", "end_assets", "trade_amount", "customer_count") == {
        "avg_daily_assets": "50.00", "end_assets": "0.00", "trade_amount": "1000.00", "customer_count": "0"}
    assert pick(rows["0102", "2026-03"], "avg_daily_assets", "end_assets", "trade_amount", "customer_count") == {
        "avg_daily_assets": "50.00", "end_assets": "100.00", "trade_amount": "0.00", "customer_count": "1"}
    assert sorted(rows) == [("0101", "2026-03"), ("0101", "2026-04"), ("0102", "2026-03"), ("0102", "2026-04"),
                            ("0103", "2026-04")]
    assert rows["0101", "2026-04"]["customer_count"] == "0"


def test_first_customer_version_is_in_force_back_to_open_date():
    """A customer first delivered on 03-31 (open 03-30) has their 03-30 facts in that version's branch."""
    con, f = brokerage(branches=("0101", "0102"))
    f.customer("C1", on="2026-03-31", branch="0102", open_date="2026-03-30")
    f.assets("2026-03-30", "C1", "10.00").assets("2026-03-31", "C1", "10.00")
    f.save()
    build(con)
    day = mart(con, "branch", "day")
    assert day["0102", "2026-03-30"]["end_assets"] == "10.00"
    assert day["0101", "2026-03-30"]["end_assets"] == "0.00"


def test_closed_customer_rows_and_counts_end_with_the_close_date():
    """Closed on 03-31 (close_date inclusive): a March row, counted open on 03-31, no April row, no later day."""
    con, f = brokerage()
    f.customer("C1", on="2026-03-30", branch="0101", open_date="2020-01-02")
    f.customer("C1", on="2026-03-31", branch="0101", open_date="2020-01-02", close_date="2026-03-31")
    f.assets("2026-03-30", "C1", "500.00").assets("2026-03-31", "C1", "0.00")
    f.save()
    build(con)
    customers = mart(con, "customer", "month")
    assert sorted(customers) == [("C1", "2026-03")]
    assert pick(customers["C1", "2026-03"], "avg_daily_assets", "end_assets") == {
        "avg_daily_assets": "250.00", "end_assets": "0.00"}
    assert [p for _, p in mart(con, "customer", "day")] == ["2026-03-30", "2026-03-31"]
    branches = mart(con, "branch", "month")
    assert (branches["0101", "2026-03"]["customer_count"], branches["0101", "2026-04"]["customer_count"]) == ("1", "0")


def _new_customers_case(effective_assets=Decimal("10000.00")):
    con, f = brokerage()
    f.customer("C0", on="2026-03-30", branch="0101", open_date="2020-01-02")
    f.customer("N1", on="2026-03-31", branch="0101", open_date="2026-03-31")
    f.customer("N2", on="2026-03-31", branch="0101", open_date="2026-03-31")
    f.customer("N3", on="2026-04-01", branch="0101", open_date="2026-04-01")
    f.assets("2026-03-31", "N1", "9999.99").assets("2026-04-01", "N1", "10000.00")
    f.assets("2026-03-31", "N2", "10000.00")
    f.assets("2026-04-01", "N3", "100.00").assets("2026-04-02", "N3", "20000.00")
    for day in DAYS:
        f.assets(day, "C0", "1.00")
    f.save()
    build(con, staff_rows=[staff("S1")],
          relations=[relation("N1", "S1", "2026-03-31"), relation("N2", "S1", "2026-04-01"),
                     relation("N3", "S1", "2026-04-01")], effective_assets=effective_assets)
    return con


def test_new_and_effective_customers_by_attribution_on_open_date():
    """N1 (S1, peak 9999.99 in March) is not effective; N2 (relation only from 04-01) is UNATTRIBUTED and effective."""
    con = _new_customers_case()
    rows = mart(con, "staff", "month")
    counts = {k: pick(v, "customer_count", "new_customers", "effective_new_customers") for k, v in rows.items()}
    assert counts == {
        ("S1", "2026-03"): {"customer_count": "1", "new_customers": "1", "effective_new_customers": "0"},
        ("UNATTRIBUTED", "2026-03"): {"customer_count": "2", "new_customers": "1", "effective_new_customers": "1"},
        ("S1", "2026-04"): {"customer_count": "3", "new_customers": "1", "effective_new_customers": "1"},
        ("UNATTRIBUTED", "2026-04"): {"customer_count": "1", "new_customers": "0", "effective_new_customers": "0"},
    }
    branch = mart(con, "branch", "month")
    assert pick(branch["0101", "2026-03"], "customer_count", "new_customers", "effective_new_customers") == {
        "customer_count": "3", "new_customers": "2", "effective_new_customers": "1"}
    day = mart(con, "staff", "day")
    assert pick(day["S1", "2026-03-31"], "new_customers", "effective_new_customers") == {
        "new_customers": "1", "effective_new_customers": "0"}


def test_effective_customer_threshold_is_configurable():
    """With a 5,000.00 threshold N1's 9,999.99 in March makes it effective for S1."""
    con = _new_customers_case(effective_assets=Decimal("5000.00"))
    assert mart(con, "staff", "month")["S1", "2026-03"]["effective_new_customers"] == "1"


def test_customer_rows_exist_only_for_periods_with_an_open_day():
    """A customer opened on 04-01 has no March row; an open customer without any fact has a zero row."""
    con, f = brokerage()
    f.customer("C1", on="2026-03-30", branch="0101", open_date="2020-01-02")
    f.customer("N1", on="2026-04-01", branch="0101", open_date="2026-04-01")
    f.save()
    build(con)
    rows = mart(con, "customer", "month")
    assert sorted(rows) == [("C1", "2026-03"), ("C1", "2026-04"), ("N1", "2026-04")]
    assert pick(rows["C1", "2026-03"], *MONEY_COLUMNS) == {
        "avg_daily_assets": "0.00", "end_assets": "0.00", "net_inflow": "0.00", "trade_amount": "0.00",
        "trade_count": "0", "active_days": "0", "commission": "0.00", "net_commission": "0.00",
        "commission_rate": None}


def test_staff_active_days_count_customer_trade_date_pairs():
    """Two customers of S1 trading on the same day, one of them twice: 2 active days, 3 trades."""
    con, f = brokerage()
    for no in ("C1", "C2"):
        f.customer(no, on=DAYS[0], branch="0101", open_date="2020-01-02")
    f.trade("2026-03-30", "C1", amount="100.00", commission="5.00")
    f.trade("2026-03-30", "C1", amount="100.00", commission="5.00")
    f.trade("2026-03-30", "C2", amount="100.00", commission="5.00")
    f.save()
    build(con, staff_rows=[staff("S1")], relations=[relation("C1", "S1", "2020-01-01"), relation("C2", "S1", "2020-01-01")])
    row = mart(con, "staff", "month")["S1", "2026-03"]
    assert pick(row, "trade_count", "active_days", "commission_rate") == {
        "trade_count": "3", "active_days": "2", "commission_rate": "0.050000"}
