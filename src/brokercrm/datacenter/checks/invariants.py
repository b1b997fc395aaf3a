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
    sums = """flows AS (SELECT customer_no, sum(amount) AS total, min(line) AS first_line FROM vd_cash_flows
                        WHERE customer_no IS NOT NULL GROUP BY customer_no),
              trades AS (SELECT customer_no, sum(settle_amount) AS total, min(line) AS first_line FROM vd_deliveries
                         WHERE customer_no IS NOT NULL GROUP BY customer_no)"""
    expected = "coalesce(p.cash_balance, 0) + coalesce(f.total, 0) + coalesce(t.total, 0)"
    differs = f"""WITH {sums}
      SELECT a.line, {lit(a.src('cash_balance'))} AS col,
        {lit(a.src('cash_balance') + ' ')} || a.{raw('cash_balance')} || ' differs from the previous day''s '
          || coalesce(p.cash_balance, 0) || ' + cash flows ' || coalesce(f.total, 0)
          || ' + trade settlements ' || coalesce(t.total, 0) || ' = ' || ({expected}) AS message
      FROM vd_assets a LEFT JOIN vd_ctx_prev_assets p ON p.customer_no = a.customer_no
        LEFT JOIN flows f ON f.customer_no = a.customer_no LEFT JOIN trades t ON t.customer_no = a.customer_no
      WHERE a.customer_no IS NOT NULL AND a.cash_balance <> {expected}"""
    findings = [Finding("assets", "cash_continuity", differs)]
    for table, cte, what in (("cash_flows", "flows", "cash flows"), ("deliveries", "trades", "trades")):
        spec = day.config.table(table)
        findings.append(Finding(table, f"no_assets_row:{table}", f"""WITH {sums}
          SELECT x.first_line AS line, {lit(spec.src('customer_no'))} AS col,
            {lit(spec.src('customer_no') + ' ')} || x.customer_no
              || {lit(f" has {what} on {day.shown_date} but no row in {day.file_name('assets')}")} AS message
          FROM {cte} x JOIN vd_known_customers k ON k.customer_no = x.customer_no
            ANTI JOIN (SELECT DISTINCT customer_no FROM vd_assets) a ON a.customer_no = x.customer_no"""))
    return findings


def position_continuity(check: CheckSpec, day: Day) -> list[Finding]:
    """quantity(d) = quantity(previous day) + buys − sells + transfers in − transfers out."""
    if day.first_day or "positions" not in day.prev_tables or not _needs(day, "positions", "deliveries", "security_transfers"):
        return []
    p = day.config.table("positions")
    key = ", ".join(POSITION_KEY)
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in POSITION_KEY)
    on = lambda x, y: " AND ".join(f"{x}.{k} = {y}.{k}" for k in POSITION_KEY)  # noqa: E731
    expected = ("coalesce(b.quantity, 0) + coalesce(m.bought, 0) - coalesce(m.sold, 0) "
                "+ coalesce(m.moved_in, 0) - coalesce(m.moved_out, 0)")
    explained = (
        "'previous day''s ' || coalesce(b.quantity, 0) || ' + bought ' || coalesce(m.bought, 0) "
        "|| ' − sold ' || coalesce(m.sold, 0) || ' + transferred in ' || coalesce(m.moved_in, 0) "
        "|| ' − transferred out ' || coalesce(m.moved_out, 0)"
    )
    sql = f"""WITH moves AS (
          SELECT {key}, sum(CASE WHEN side = 'B' THEN quantity ELSE 0 END) AS bought,
                 sum(CASE WHEN side = 'S' THEN quantity ELSE 0 END) AS sold, 0 AS moved_in, 0 AS moved_out
          FROM vd_deliveries WHERE {not_null} GROUP BY ALL
          UNION ALL
          SELECT {key}, 0, 0, sum(CASE WHEN direction = 'in' THEN quantity ELSE 0 END),
                 sum(CASE WHEN direction = 'out' THEN quantity ELSE 0 END)
          FROM vd_security_transfers WHERE {not_null} GROUP BY ALL),
        m AS (SELECT {key}, sum(bought) AS bought, sum(sold) AS sold, sum(moved_in) AS moved_in,
                     sum(moved_out) AS moved_out FROM moves GROUP BY ALL),
        cur AS (SELECT line, {key}, quantity FROM vd_positions WHERE {not_null}),
        keys AS (SELECT {key} FROM m UNION SELECT {key} FROM vd_ctx_prev_positions UNION SELECT {key} FROM cur)
      SELECT c.line, {lit(p.src('quantity'))} AS col, CASE
          WHEN c.line IS NOT NULL THEN {lit(p.src('quantity') + ' ')} || c.quantity || ' differs from the ' || {explained} || ' = ' || ({expected})
          ELSE {lit(f"no row for {p.src('customer_no')} ")} || k.customer_no || ', ' || k.market || ' ' || k.security_code
               || ': expected ' || {lit(p.src('quantity') + ' ')} || ({expected}) || ' = the ' || {explained}
        END AS message
      FROM keys k LEFT JOIN cur c ON {on('c', 'k')} LEFT JOIN vd_ctx_prev_positions b ON {on('b', 'k')}
        LEFT JOIN m ON {on('m', 'k')}
      WHERE CASE WHEN c.line IS NOT NULL THEN c.quantity ELSE 0 END <> {expected}"""
    return [Finding("positions", "position_continuity", sql)]


INVARIANT_RULES: dict[str, Callable[[CheckSpec, Day], list[Finding]]] = {
    "assets_market_value": assets_market_value,
    "assets_coverage": assets_coverage,
    "cash_continuity": cash_continuity,
    "position_continuity": position_continuity,
}
