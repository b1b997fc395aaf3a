"""The simulated year looks like a brokerage: measured from the CSV files of a 1,500-customer year."""
import re
import duckdb
import pytest

LAST = "2026-10-30"


@pytest.fixture(scope="module")
def db(year_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return year_db


def one(db: duckdb.DuckDBPyConnection, sql: str):
    return db.execute(sql).fetchone()[0]


def test_a_few_percent_hold_most_assets(db) -> None:
    """On the last day the richest 5% of accounts hold more than half of all assets."""
    share = one(db, f"""SELECT sum(t) FILTER (WHERE rank <= n * 0.05) / sum(t) FROM (SELECT CAST(total_assets AS DECIMAL(18,2)) t,
        row_number() OVER (ORDER BY CAST(total_assets AS DECIMAL(18,2)) DESC) rank, count(*) OVER () n FROM assets WHERE biz_date = '{LAST}')""")
    assert share > 0.5


def test_most_rarely_trade_and_a_few_trade_daily(db) -> None:
    """Of the opening book, over half trade on fewer than 10 days a year and at least 1% on 200 or more."""
    rare, daily = db.execute("""WITH book AS (SELECT customer_no FROM customers WHERE CAST(open_date AS DATE) < DATE '2025-11-03'
          AND close_date IS NULL GROUP BY ALL), active AS (SELECT customer_no, count(DISTINCT trade_date) n FROM deliveries GROUP BY ALL)
        SELECT avg(CASE WHEN coalesce(n, 0) < 10 THEN 1 ELSE 0 END), avg(CASE WHEN n >= 200 THEN 1 ELSE 0 END)
        FROM book LEFT JOIN active USING (customer_no)""").fetchone()
    assert rare > 0.5
    assert daily >= 0.01


def test_silent_accounts_exist(db) -> None:
    """At least 5% of accounts stay below 1,000 of assets on every day and never trade (沉寂)."""
    silent = one(db, """SELECT count(*) FROM (SELECT customer_no FROM assets GROUP BY ALL
        HAVING max(CAST(total_assets AS DECIMAL(18,2))) < 1000 AND count(*) = 241) s
        WHERE customer_no NOT IN (SELECT customer_no FROM deliveries)""")
    assert silent >= 0.05 * 1500


def test_accounts_open_close_freeze_and_change_branch(db) -> None:
    """New accounts open through the year, some close, some are frozen, some move branch."""
    assert one(db, "SELECT count(DISTINCT customer_no) FROM customers WHERE CAST(open_date AS DATE) > DATE '2025-11-03'") >= 100
    assert one(db, "SELECT count(*) FROM customers WHERE CAST(close_date AS DATE) >= DATE '2025-11-03'") >= 10
    assert one(db, "SELECT count(DISTINCT customer_no) FROM customers WHERE status = 'frozen'") >= 1
    assert one(db, "SELECT count(*) FROM (SELECT customer_no FROM customers GROUP BY ALL HAVING count(DISTINCT branch_code) > 1)") >= 5


def test_questionnaires_expire_and_are_renewed(db) -> None:
    """On the last day some open accounts' questionnaires are over two years old; others were renewed in the year."""
    stale = one(db, """SELECT count(*) FROM (SELECT customer_no, max(CAST(risk_assessed_on AS DATE)) a, max(close_date) c
        FROM customers GROUP BY ALL) WHERE c IS NULL AND a < DATE '2024-10-30'""")
    renewed = one(db, """SELECT count(*) FROM customers WHERE CAST(risk_assessed_on AS DATE) > DATE '2025-11-03'
        AND CAST(open_date AS DATE) < CAST(risk_assessed_on AS DATE)""")
    assert stale >= 0.05 * 1500
    assert renewed >= 50


def test_every_kind_of_money_and_security_movement_happens(db) -> None:
    """Bank transfers both ways, dividends, interest, fees, other; security transfers in and out."""
    assert {r[0] for r in db.execute("SELECT DISTINCT flow_type FROM cash_flows").fetchall()} == {
        "bank_in", "bank_out", "dividend", "interest", "fee", "other"}
    assert {r[0] for r in db.execute("SELECT DISTINCT direction FROM security_transfers").fetchall()} == {"in", "out"}


def test_security_universe_is_a_share_like(db) -> None:
    """Stock codes follow the boards (SH 60, SZ 00/30, BJ 8x); every stock has an industry; wealth products span R1–R5."""
    bad = one(db, """SELECT count(*) FROM securities WHERE security_type = 'stock' AND NOT (
        (market = 'SH' AND security_code LIKE '60%') OR (market = 'SZ' AND (security_code LIKE '00%' OR security_code LIKE '30%'))
        OR (market = 'BJ' AND (security_code LIKE '8%')) ) OR (security_type = 'stock' AND industry IS NULL)""")
    assert bad == 0
    levels = {r[0] for r in db.execute("SELECT DISTINCT risk_level FROM securities WHERE security_type = 'wealth'").fetchall()}
    assert levels == {"R1", "R2", "R3", "R4", "R5"}
    assert {r[0] for r in db.execute("SELECT DISTINCT security_type FROM securities").fetchall()} == {
        "stock", "fund", "bond", "repo", "wealth"}


def test_stock_closes_stay_within_the_ten_percent_limit(db) -> None:
    """No stock closes above the previous close's +10% limit price (rounded half-up to 0.01)."""
    over = one(db, """WITH closes AS (SELECT DISTINCT p.biz_date, p.market, p.security_code, CAST(close_price AS DECIMAL(18,3)) c
          FROM positions p JOIN (SELECT DISTINCT market, security_code FROM securities WHERE security_type = 'stock') USING (market, security_code)),
        days AS (SELECT biz_date, lag(biz_date) OVER (ORDER BY biz_date) prev FROM (SELECT DISTINCT biz_date FROM assets))
        SELECT count(*) FROM closes t JOIN days USING (biz_date) JOIN closes y ON y.biz_date = days.prev
          AND (y.market, y.security_code) = (t.market, t.security_code) WHERE t.c > round(y.c * 1.1, 2)""")
    assert over == 0


def test_personal_data_looks_real_and_is_sometimes_missing(db) -> None:
    """Mobiles are 11 digits from 13x–19x, id cards carry a valid check character, institutions a business
    license; mobile, email, address and birth date are NULL for some."""
    rows = db.execute("SELECT DISTINCT customer_no, customer_type, id_type, id_no, mobile FROM customers").fetchall()
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for _, customer_type, id_type, id_no, mobile in rows:
        assert mobile is None or re.fullmatch(r"1[3-9]\d{9}", mobile)
        assert (id_type == "business_license") == (customer_type == "institution")
        if id_type == "id_card":
            assert "10X98765432"[sum(int(c) * w for c, w in zip(id_no[:17], weights)) % 11] == id_no[17]
    for column in ("mobile", "email", "address", "birth_date", "gender", "risk_level"):
        assert one(db, f"SELECT count(*) FROM customers WHERE {column} IS NULL") > 0


def test_staff_join_leave_and_hand_customers_on(db) -> None:
    """Every category appears; staff leave and join in the year; customers change broker; some have none."""
    assert {r[0] for r in db.execute("SELECT DISTINCT category FROM staff").fetchall()} == {
        "account_manager", "external_broker", "investment_adviser", "service_agent", "team_leader", "branch_manager"}
    assert {r[0] for r in db.execute("SELECT DISTINCT level FROM staff WHERE level IS NOT NULL").fetchall()} == {
        "assistant", "manager", "senior", "principal"}
    assert one(db, "SELECT count(*) FROM staff WHERE CAST(leave_date AS DATE) > DATE '2025-11-03'") >= 1
    assert one(db, "SELECT count(*) FROM staff WHERE CAST(hire_date AS DATE) > DATE '2025-11-03'") >= 1
    handed_on = one(db, """SELECT count(*) FROM relations a JOIN relations b ON a.customer_no = b.customer_no
        AND a.relation_type = 'development' AND b.relation_type = 'development' AND a.end_date = b.start_date
        WHERE CAST(a.end_date AS DATE) > DATE '2025-11-03'""")
    assert handed_on >= 20
    without = one(db, """SELECT count(DISTINCT customer_no) FROM customers WHERE customer_no NOT IN
        (SELECT customer_no FROM relations WHERE relation_type = 'development')""")
    assert without >= 0.05 * 1500
