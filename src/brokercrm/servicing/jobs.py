"""Steps run by the data center after each publish (registered in apps.ready): alerts, then regulatory visits.

They run in the writer process, so they open the warehouse itself (DuckDB shares the open database
within a process) and read the DW facts set-wise; only the results are written to the app database.
"""
import datetime as dt

from brokercrm.servicing import rules


def _warehouse():
    from brokercrm.datacenter import warehouse

    return warehouse.connect()


def _has_facts(con) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'dw' AND table_name = 'fact_assets'").fetchone()[0] > 0


def alerts_step(dates: list[dt.date], *, con=None) -> dict:
    """Evaluate the enabled alert rules on the business dates just loaded; returns row counts.

    Without dates (staff or relations changed), every alert is routed again by the relations now on record.
    """
    from brokercrm.servicing.services.alerts import alerts_raise, alerts_reroute, effective_rules

    if not dates:
        return {"servicing.alerts": 0, "rerouted": alerts_reroute()}
    own = con is None
    con = con or _warehouse()
    try:
        if not _has_facts(con):
            return {"servicing.alerts": 0}
        candidates = rules.evaluate(con, dates=dates, rules=effective_rules())
    finally:
        if own:
            con.close()
    result = alerts_raise(candidates=candidates)
    return {"servicing.alerts": result.alerts, "servicing.tasks": result.tasks, "duplicates": result.duplicates}


def dormant_at(con, day: dt.date) -> set[str]:
    """Customers dormant (休眠) on `day` as far as the loaded history shows: no position, cash below 100, no trade for 3 years."""
    rows = con.execute("""
        WITH last AS (SELECT customer_no, MAX(biz_date) AS d FROM dw.fact_assets WHERE biz_date <= ? GROUP BY customer_no)
        SELECT a.customer_no FROM dw.fact_assets a JOIN last ON last.customer_no = a.customer_no AND last.d = a.biz_date
        WHERE a.market_value = 0 AND a.cash_balance < 100
          AND NOT EXISTS (SELECT 1 FROM dw.fact_trades t WHERE t.customer_no = a.customer_no
                          AND t.trade_date > CAST(? AS DATE) - INTERVAL 3 YEAR AND t.trade_date <= ?)""", [day, day, day]).fetchall()
    return {r[0] for r in rows}


def visits_step(dates: list[dt.date], *, con=None) -> dict:
    """Regulatory visit tasks as of the latest loaded date (new accounts of the dates just loaded)."""
    from brokercrm.datacenter.facade import latest_loaded_date
    from brokercrm.servicing.services.tasks import visits_generate

    as_of = max(dates) if dates else latest_loaded_date()
    if as_of is None:
        return {}
    own = con is None
    con = con or _warehouse()
    try:
        dormant = dormant_at(con, dt.date(as_of.year - 1, 12, 31)) if _has_facts(con) else set()
    finally:
        if own:
            con.close()
    result = visits_generate(as_of=as_of, opened_from=min(dates) if dates else None, dormant=dormant)
    return {"visit_new": result.new_accounts, "visit_existing": result.existing, "visit_departed": result.departed,
            "rerouted": result.rerouted}


def register() -> None:
    from brokercrm.datacenter.facade import register_downstream

    register_downstream("alerts", alerts_step)
    register_downstream("visits", visits_step)
