"""Row rules of one file (keys, business date, signs, formulas, fees), as SQL over `vd_<table>`.

Each rule returns Findings: SQL selecting (line, col, message) for the file it reports on.
Values are printed as delivered (the `__s` columns); columns are named as delivered.
A NULL (an empty or unparsable field, already reported) never triggers a rule.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from brokercrm.datacenter import calendar
from brokercrm.datacenter.checks.sql import date_lit, ident, lit, raw
from brokercrm.datacenter.sources.config import CheckSpec, SourceConfig, TableSpec


@dataclass(frozen=True)
class Day:
    """What the rules need to know about the day being checked."""

    config: SourceConfig
    business_date: date
    files: Mapping[str, str]  # table -> file relative to the delivery root
    first_day: bool  # the delivery's first day: the opening snapshot
    usable: frozenset[str]  # tables staged from a readable file with a correct header
    prev_tables: frozenset[str]  # previous-day tables the context holds (assets, positions)

    @property
    def shown_date(self) -> str:
        return self.business_date.strftime(self.config.date_format)

    def file_name(self, table: str) -> str:
        return self.config.table(table).file_name(self.business_date)

    def shown(self, table: str, column: str, expr: str) -> str:
        """SQL showing a typed date (e.g. of a context row) in the column's delivered format."""
        fmt = self.config.date_format_of(self.config.table(table).column(column))
        return f"strftime({expr}, {lit(fmt)})"


@dataclass(frozen=True)
class Finding:
    tbl: str
    rule: str
    sql: str


def _v(column: str) -> str:
    return raw(column)


def keys_unique(spec: TableSpec, day: Day) -> list[Finding]:
    keys = [ident(k) for k in spec.key]
    shown = " || ', ' || ".join(f"t.{_v(k)}" for k in spec.key)
    names = ", ".join(spec.src(k) for k in spec.key)
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    on = " AND ".join(f"d.{k} = t.{k}" for k in keys)
    # Group first: the duplicates are few, so the join back is cheap (a window over millions is not).
    sql = f"""WITH dup AS (SELECT {', '.join(keys)}, min(line) AS first_line FROM vd_{spec.name}
                         WHERE {not_null} GROUP BY ALL HAVING count(*) > 1)
      SELECT t.line, {lit(spec.src(spec.key[-1]))} AS col,
        {lit(f'duplicate key ({names}) = (')} || {shown} || '): first on line ' || d.first_line AS message
      FROM vd_{spec.name} t JOIN dup d ON {on} WHERE t.line > d.first_line"""
    return [Finding(spec.name, "key", sql)]


def rounded_product(quantity: str, price: str) -> str:
    """round(quantity × price, 2) exactly: 64-bit decimals when the product is small, 128-bit otherwise."""
    small = f"abs({quantity}) < 1e15 AND abs(CAST({quantity} AS DOUBLE) * CAST({price} AS DOUBLE)) < 1e14"
    return (f"CASE WHEN {small} THEN round(CAST({quantity} AS DECIMAL(18,0)) * {price}, 2) "
            f"ELSE round(CAST({quantity} AS DECIMAL(38,0)) * {price}, 2) END")


def rounded_fee(amount: str, rate: str) -> str:
    """round(amount × rate, 2) exactly, the rate a decimal literal below 1 (e.g. 0.0000341)."""
    scale = max(-Decimal(rate).as_tuple().exponent, 1)
    literal = f"CAST({lit(rate)} AS DECIMAL({scale + 1},{scale}))"
    small = f"abs(CAST({amount} AS DOUBLE) * {float(rate)}) < 1e{max(15 - scale, 1)}"
    return (f"CAST(CASE WHEN {small} THEN round({amount} * {literal}, 2) "
            f"ELSE round(CAST({amount} AS DECIMAL(38,2)) * {literal}, 2) END AS DECIMAL(18,2))")


def business_date(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    c = check.get("column")
    sql = f"""SELECT line, {lit(spec.src(c))} AS col,
        {lit(spec.src(c) + ' ')} || {_v(c)} || {lit(f" differs from the folder's business date {day.shown_date}")} AS message
      FROM vd_{spec.name} WHERE {ident(c)} <> {date_lit(day.business_date)}"""
    return [Finding(spec.name, f"business_date:{c}", sql)]


def positive(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    c = check.get("column")
    sql = f"""SELECT line, {lit(spec.src(c))} AS col, {lit(spec.src(c) + ' ')} || {_v(c)} || ' must be greater than 0' AS message
      FROM vd_{spec.name} WHERE {ident(c)} <= 0"""
    return [Finding(spec.name, f"positive:{c}", sql)]


def non_negative(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    return [
        Finding(spec.name, f"non_negative:{c}", f"""SELECT line, {lit(spec.src(c))} AS col,
            {lit(spec.src(c) + ' ')} || {_v(c)} || ' must not be negative' AS message
          FROM vd_{spec.name} WHERE {ident(c)} < 0""")
        for c in check.get("columns")
    ]


def trading_day(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    c = check.get("column")
    cal = calendar.current()
    imported = ", ".join(str(y) for y in [*cal.imported, 0])
    src = spec.src(c)
    sql = f"""SELECT t.line, {lit(src)} AS col, CASE
          WHEN year(t.{ident(c)}) > {cal.package_last_year} AND year(t.{ident(c)}) NOT IN ({imported})
          THEN {lit(src + ' ')} || t.{_v(c)} || ' is in ' || CAST(year(t.{ident(c)}) AS VARCHAR)
               || {lit(f", whose exchange closures are not known (import them: {calendar.IMPORT_COMMAND})")}
          ELSE {lit(src + ' ')} || t.{_v(c)} || ' is not an XSHG trading day' END AS message
      FROM vd_{spec.name} t LEFT JOIN vd_sessions s ON s.d = t.{ident(c)}
      WHERE t.{ident(c)} IS NOT NULL AND s.d IS NULL"""
    return [Finding(spec.name, f"trading_day:{c}", sql)]


def reference(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    target = check.get("to")
    if target not in day.usable:
        return []
    columns = list(check.get("columns"))
    target_key = list(day.config.table(target).key)
    on = " AND ".join(f"k.{ident(tk)} = t.{ident(c)}" for c, tk in zip(columns, target_key))
    not_null = " AND ".join(f"t.{ident(c)} IS NOT NULL" for c in columns)
    names = ", ".join(spec.src(c) for c in columns)
    shown = " || ', ' || ".join(f"t.{_v(c)}" for c in columns)
    sql = f"""SELECT t.line, {lit(spec.src(columns[-1]))} AS col,
        {lit(names + ' ')} || {shown} || {lit(f' is not in {day.file_name(target)} of this or an earlier day')} AS message
      FROM vd_{spec.name} t LEFT JOIN vd_known_{target} k ON {on}
      WHERE {not_null} AND k.{ident(target_key[0])} IS NULL"""
    return [Finding(spec.name, f"reference:{target}", sql)]


def sign(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    c, by = check.get("column"), check.get("by")
    findings = []
    for values, test, word in ((check.get("positive", ()), "<= 0", "greater"), (check.get("negative", ()), ">= 0", "less")):
        if not values:
            continue
        listed = ", ".join(lit(v) for v in values)
        findings.append(Finding(spec.name, f"sign:{c}:{word}", f"""SELECT line, {lit(spec.src(c))} AS col,
            {lit(spec.src(c) + ' ')} || {_v(c)} || {lit(f' must be {word} than 0 for {spec.src(by)} ')} || {_v(by)} AS message
          FROM vd_{spec.name} WHERE {ident(by)} IN ({listed}) AND {ident(c)} {test}"""))
    return findings


def open_date(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    d = date_lit(day.business_date)
    new_account = "FALSE" if day.first_day else f"(p.customer_no IS NULL AND c.open_date <> {d})"
    sql = f"""SELECT c.line, {lit(spec.src('open_date'))} AS col, CASE
          WHEN c.open_date > {d} THEN {lit(spec.src('open_date') + ' ')} || c.{_v('open_date')} || {lit(f' is after the business date {day.shown_date}')}
          ELSE {lit(spec.src('customer_no') + ' ')} || c.customer_no || {lit(f' is delivered for the first time on {day.shown_date}, so its {spec.src("open_date")} must be {day.shown_date}, not ')} || c.{_v('open_date')}
        END AS message
      FROM vd_customers c LEFT JOIN vd_ctx_customers p ON p.customer_no = c.customer_no
      WHERE c.open_date > {d} OR {new_account}"""
    return [Finding(spec.name, "open_date", sql)]


def close_after_open(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    sql = f"""SELECT line, {lit(spec.src('close_date'))} AS col,
        {lit(spec.src('close_date') + ' ')} || {_v('close_date')} || {lit(' is before ' + spec.src('open_date') + ' ')} || {_v('open_date')} AS message
      FROM vd_customers WHERE close_date < open_date"""
    return [Finding(spec.name, "close_after_open", sql)]


def trade_amount(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    n = spec.src
    sql = f"""SELECT line, {lit(n('amount'))} AS col,
        {lit(n('amount') + ' ')} || {_v('amount')} || {lit(f" differs from {n('quantity')} × {n('price')} = ")} || {_v('quantity')}
          || ' × ' || {_v('price')} || ' = ' || {rounded_product('quantity', 'price')} || ' (rounded half-up to 0.01)' AS message
      FROM vd_{spec.name} WHERE amount <> {rounded_product('quantity', 'price')}"""
    return [Finding(spec.name, "trade_amount", sql)]


def settle_amount(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    n = spec.src
    costs = ("commission", "stamp_tax", "transfer_fee", "other_fee")
    buy_formula = f"-({n('amount')} + " + " + ".join(n(c) for c in costs) + ")"
    sell_formula = f"{n('amount')} - " + " - ".join(n(c) for c in costs)
    sum_costs = " + ".join(costs)
    expected = f"CASE side WHEN 'B' THEN -(amount + {sum_costs}) WHEN 'S' THEN amount - ({sum_costs}) END"
    sql = f"""SELECT line, {lit(n('settle_amount'))} AS col,
        {lit(n('settle_amount') + ' ')} || {_v('settle_amount')} || ' differs from '
          || CASE side WHEN 'B' THEN {lit(buy_formula)} ELSE {lit(sell_formula)} END
          || ' = ' || ({expected}) || {lit(f" for {n('side')} ")} || {_v('side')} AS message
      FROM vd_{spec.name} WHERE settle_amount <> ({expected})"""
    return [Finding(spec.name, "settle_amount", sql)]


def _percent(rate: str) -> str:
    return format((Decimal(rate) * 100).normalize(), "f") + "%"


def stock_fees(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    if "securities" not in day.usable or day.business_date < check.get("since"):
        return []
    n = spec.src
    findings = []
    for fee, sells_only in (("stamp_tax", True), ("transfer_fee", False), ("handling_fee", False), ("regulatory_fee", False)):
        rate = check.get("stamp_tax_sell" if fee == "stamp_tax" else fee)
        expected = rounded_fee("t.amount", rate)
        scope = "AND t.side = 'S'" if sells_only else ""
        what = "stock sells" if sells_only else "stocks"
        findings.append(Finding(spec.name, f"stock_fees:{fee}", f"""SELECT t.line, {lit(n(fee))} AS col,
            {lit(n(fee) + ' ')} || t.{_v(fee)} || {lit(f" differs from {_percent(rate)} of {n('amount')} ")} || t.{_v('amount')}
              || ' = ' || {expected} || {lit(f' (the fee rule for {what}, rounded half-up to 0.01)')} AS message
          FROM vd_{spec.name} t JOIN vd_known_securities s ON s.market = t.market AND s.security_code = t.security_code
          WHERE s.security_type = 'stock' {scope} AND t.{ident(fee)} <> {expected}"""))
    return findings


def stamp_tax_stock_sells_only(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    n = spec.src
    sql = f"""SELECT t.line, {lit(n('stamp_tax'))} AS col,
        {lit(n('stamp_tax') + ' ')} || t.{_v('stamp_tax')} || ' must be 0: stamp tax is charged on stock sells only (this is '
          || CASE t.side WHEN 'B' THEN 'a buy' ELSE 'a sell' END
          || coalesce(' of a ' || s.security_type, '') || ')' AS message
      FROM vd_{spec.name} t LEFT JOIN vd_known_securities s ON s.market = t.market AND s.security_code = t.security_code
      WHERE t.stamp_tax <> 0 AND NOT (s.security_type = 'stock' AND t.side = 'S')"""
    return [Finding(spec.name, "stamp_tax_stock_sells_only", sql)]


def fees_within_commission(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    n = spec.src
    sql = f"""SELECT line, {lit(n('commission'))} AS col,
        {lit(n('commission') + ' ')} || {_v('commission')} || {lit(f" is below {n('handling_fee')} + {n('regulatory_fee')} ")}
          || (handling_fee + regulatory_fee) AS message
      FROM vd_{spec.name} WHERE handling_fee + regulatory_fee > commission"""
    return [Finding(spec.name, "fees_within_commission", sql)]


def position_market_value(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    n = spec.src
    sql = f"""SELECT line, {lit(n('market_value'))} AS col,
        {lit(n('market_value') + ' ')} || {_v('market_value')} || {lit(f" differs from {n('quantity')} × {n('close_price')} = ")}
          || {_v('quantity')} || ' × ' || {_v('close_price')} || ' = '
          || {rounded_product('quantity', 'close_price')} || ' (rounded half-up to 0.01)' AS message
      FROM vd_{spec.name} WHERE market_value <> {rounded_product('quantity', 'close_price')}"""
    return [Finding(spec.name, "position_market_value", sql)]


def assets_total(spec: TableSpec, check: CheckSpec, day: Day) -> list[Finding]:
    n = spec.src
    sql = f"""SELECT line, {lit(n('total_assets'))} AS col,
        {lit(n('total_assets') + ' ')} || {_v('total_assets')} || {lit(f" differs from {n('cash_balance')} + {n('market_value')} = ")}
          || {_v('cash_balance')} || ' + ' || {_v('market_value')} || ' = ' || (cash_balance + market_value) AS message
      FROM vd_{spec.name} WHERE total_assets <> cash_balance + market_value"""
    return [Finding(spec.name, "assets_total", sql)]


TABLE_RULES: dict[str, Callable[[TableSpec, CheckSpec, Day], list[Finding]]] = {
    "business_date": business_date,
    "positive": positive,
    "non_negative": non_negative,
    "trading_day": trading_day,
    "reference": reference,
    "sign": sign,
    "open_date": open_date,
    "close_after_open": close_after_open,
    "trade_amount": trade_amount,
    "settle_amount": settle_amount,
    "stock_fees": stock_fees,
    "stamp_tax_stock_sells_only": stamp_tax_stock_sells_only,
    "fees_within_commission": fees_within_commission,
    "position_market_value": position_market_value,
    "assets_total": assets_total,
}
