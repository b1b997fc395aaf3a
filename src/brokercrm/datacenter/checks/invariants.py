"""Cross-file invariants (source-interface.md 2, 3 and 5, and assets for every open customer).

Context tables (earlier days): vd_ctx_prev_assets, vd_ctx_prev_positions; `vd_known_customers`
is the latest version of every customer known on the day, today's rows included.
"""
from __future__ import annotations

from collections.abc import Callable

from brokercrm.datacenter.checks.rules import Day, Finding
from brokercrm.datacenter.checks.sql import date_lit, lit, raw
from brokercrm.datacenter.sources.config import CheckSpec

POSITION_KEY = ("customer_no", "market", "security_code")


def _needs(day: Day, *tables: str) -> bool:
    return all(t in day.usable for t in tables)


def assets_market_value(check: CheckSpec, day: Day) -> list[Finding]:
    if not _needs(day, "assets", "positions"):
        return []
    a, p = day.config.table("assets"), day.config.table("positions")
    differs = f"""SELECT a.line, {lit(a.src('market_value'))} AS col,
        {lit(a.src('market_value') + ' ')} || a.{raw('market_value')}
          || {lit(f" differs from the sum of {p.src('market_value')} in {day.file_name('positions')} for this customer, ")}
          || coalesce(v.total, 0) AS message
      FROM vd_assets a LEFT JOIN (SELECT customer_no, sum(market_value) AS total FROM vd_positions
                                  WHERE customer_no IS NOT NULL GROUP BY customer_no) v ON v.customer_no = a.customer_no
      WHERE a.market_value <> coalesce(v.total, 0)"""
    orphans = f"""SELECT p.line, {lit(p.src('customer_no'))} AS col,
        {lit(p.src('customer_no') + ' ')} || p.customer_no || {lit(f" has positions but no row in {day.file_name('assets')}")} AS message
      FROM vd_positions p ANTI JOIN (SELECT DISTINCT customer_no FROM vd_assets) a ON a.customer_no = p.customer_no
      WHERE p.customer_no IS NOT NULL"""
    return [Finding("assets", "assets_market_value", differs), Finding("positions", "positions_without_assets", orphans)]


def assets_coverage(check: CheckSpec, day: Day) -> list[Finding]:
    """One assets row for every customer open on the day (open_date <= d <= close_date), none for others."""
    if not _needs(day, "assets", "customers"):
        return []
    a, c = day.config.table("assets"), day.config.table("customers")
    d = date_lit(day.business_date)
    period = (
        f"'({c.src('open_date')} ' || {day.shown('customers', 'open_date', 'k.open_date')} "
        f"|| coalesce(', {c.src('close_date')} ' || {day.shown('customers', 'close_date', 'k.close_date')}, '') || ')'"
    )
    missing = f"""SELECT NULL AS line, {lit(a.src('customer_no'))} AS col,
        {lit(f"no row for {a.src('customer_no')} ")} || k.customer_no || {lit(f', open on {day.shown_date} ')} || {period} AS message
      FROM vd_known_customers k ANTI JOIN (SELECT DISTINCT customer_no FROM vd_assets) x ON x.customer_no = k.customer_no
      WHERE k.open_date <= {d} AND (k.close_date IS NULL OR k.close_date >= {d})"""
    not_open = f"""SELECT x.line, {lit(a.src('customer_no'))} AS col,
        {lit(a.src('customer_no') + ' ')} || x.customer_no || {lit(f' is not open on {day.shown_date} ')} || {period}
          || ': no row is expected' AS message
      FROM vd_assets x JOIN vd_known_customers k ON k.customer_no = x.customer_no
      WHERE k.open_date > {d} OR k.close_date < {d}"""
    return [Finding("assets", "assets_coverage", missing), Finding("assets", "assets_not_open", not_open)]


def cash_continuity(check: CheckSpec, day: Day) -> list[Finding]:
    """cash(d) = cash(previous day, 0 for a new account) + Σ cash flows(d) + Σ settle_amount(d)."""
    if day.first_day or "assets" not in day.prev_tables or not _needs(day, "assets", "cash_flows", "deliveries"):
        return []
    a = day.config.table("assets")
    zero = "CAST(0 AS DECIMAL(18,2))"
    # One aggregate over every part (no joins of million-row tables).
    differs = f"""WITH parts AS (
          SELECT customer_no, line, cash_balance AS cash, {zero} AS prev, {zero} AS flows, {zero} AS trades
          FROM vd_assets WHERE customer_no IS NOT NULL
          UNION ALL SELECT customer_no, NULL, NULL, cash_balance, 0, 0 FROM vd_ctx_prev_assets
          UNION ALL SELECT customer_no, NULL, NULL, 0, amount, 0 FROM vd_cash_flows WHERE customer_no IS NOT NULL
          UNION ALL SELECT customer_no, NULL, NULL, 0, 0, settle_amount FROM vd_deliveries WHERE customer_no IS NOT NULL),
        c AS (SELECT customer_no, max(line) AS line, count(line) AS rows, sum(cash) AS cash, sum(prev) AS prev,
                     sum(flows) AS flows, sum(trades) AS trades FROM parts GROUP BY customer_no)
      SELECT line, {lit(a.src('cash_balance'))} AS col,
        {lit(a.src('cash_balance') + ' ')} || cash || ' differs from the previous day''s ' || prev
          || ' + cash flows ' || flows || ' + trade settlements ' || trades || ' = ' || (prev + flows + trades) AS message
      FROM c WHERE rows = 1 AND cash <> prev + flows + trades"""
    findings = [Finding("assets", "cash_continuity", differs)]
    for table, what, amount in (("cash_flows", "cash flows", "amount"), ("deliveries", "trades", "settle_amount")):
        spec = day.config.table(table)
        findings.append(Finding(table, f"no_assets_row:{table}", f"""WITH x AS (
              SELECT customer_no, min(line) AS first_line FROM vd_{table} WHERE customer_no IS NOT NULL GROUP BY customer_no),
            has AS (SELECT DISTINCT customer_no FROM vd_assets WHERE customer_no IN (SELECT customer_no FROM x))
          SELECT x.first_line AS line, {lit(spec.src('customer_no'))} AS col,
            {lit(spec.src('customer_no') + ' ')} || x.customer_no
              || {lit(f" has {what} on {day.shown_date} but no row in {day.file_name('assets')}")} AS message
          FROM x WHERE x.customer_no IN (SELECT customer_no FROM vd_known_customers)
            AND x.customer_no NOT IN (SELECT customer_no FROM has)"""))
    return findings


def position_continuity(check: CheckSpec, day: Day) -> list[Finding]:
    """quantity(d) = quantity(previous day) + buys − sells + transfers in − transfers out."""
    if day.first_day or "positions" not in day.prev_tables or not _needs(day, "positions", "deliveries", "security_transfers"):
        return []
    p = day.config.table("positions")
    key = ", ".join(POSITION_KEY)
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in POSITION_KEY)
    expected = "prev + bought - sold + moved_in - moved_out"
    explained = ("'previous day''s ' || prev || ' + bought ' || bought || ' − sold ' || sold "
                 "|| ' + transferred in ' || moved_in || ' − transferred out ' || moved_out")
    sql = f"""WITH parts AS (
          SELECT {key}, line, quantity AS cur, 0 AS prev, 0 AS bought, 0 AS sold, 0 AS moved_in, 0 AS moved_out
          FROM vd_positions WHERE {not_null}
          UNION ALL SELECT {key}, NULL, NULL, quantity, 0, 0, 0, 0 FROM vd_ctx_prev_positions
          UNION ALL SELECT {key}, NULL, NULL, 0, CASE WHEN side = 'B' THEN quantity ELSE 0 END,
                           CASE WHEN side = 'S' THEN quantity ELSE 0 END, 0, 0 FROM vd_deliveries WHERE {not_null}
          UNION ALL SELECT {key}, NULL, NULL, 0, 0, 0, CASE WHEN direction = 'in' THEN quantity ELSE 0 END,
                           CASE WHEN direction = 'out' THEN quantity ELSE 0 END FROM vd_security_transfers WHERE {not_null}),
        q AS (SELECT {key}, max(line) AS line, count(line) AS rows, sum(cur) AS cur, sum(prev) AS prev,
                     sum(bought) AS bought, sum(sold) AS sold, sum(moved_in) AS moved_in, sum(moved_out) AS moved_out
              FROM parts GROUP BY ALL)
      SELECT line, {lit(p.src('quantity'))} AS col, CASE
          WHEN rows > 0 THEN {lit(p.src('quantity') + ' ')} || cur || ' differs from the ' || {explained} || ' = ' || ({expected})
          ELSE {lit(f"no row for {p.src('customer_no')} ")} || customer_no || ', ' || market || ' ' || security_code
               || ': expected ' || {lit(p.src('quantity') + ' ')} || ({expected}) || ' = the ' || {explained}
        END AS message
      FROM q WHERE rows <= 1 AND CASE WHEN rows = 1 THEN cur ELSE 0 END <> {expected}"""
    return [Finding("positions", "position_continuity", sql)]


INVARIANT_RULES: dict[str, Callable[[CheckSpec, Day], list[Finding]]] = {
    "assets_market_value": assets_market_value,
    "assets_coverage": assets_coverage,
    "cash_continuity": cash_continuity,
    "position_continuity": position_continuity,
}
