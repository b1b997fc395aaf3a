"""The servicing steps of the load graph (site/jobgraph.py): alerts, then regulatory visits.

They run in the writer process on the warehouse the load holds open; the data center's facade runs
the set-wise reads over its facts there, and only the results are written to the app database.
"""
import datetime as dt

from brokercrm.datacenter.facade import dormant_customers, latest_loaded_date
from brokercrm.servicing import rules
from brokercrm.servicing.services.alerts import alerts_raise, alerts_reroute, effective_rules
from brokercrm.servicing.services.tasks import visits_generate


def alerts_step(dates: list[dt.date], *, con) -> dict:
    """Evaluate the enabled alert rules on the business dates just loaded; returns row counts.

    Without dates (staff or relations changed), every alert is routed again by the relations now on record.
    """
    if not dates:
        return {"servicing.alerts": 0, "rerouted": alerts_reroute()}
    result = alerts_raise(candidates=rules.evaluate(con, dates=dates, rules=effective_rules()))
    return {"servicing.alerts": result.alerts, "servicing.tasks": result.tasks, "duplicates": result.duplicates}


def visits_step(dates: list[dt.date], *, con) -> dict:
    """Regulatory visit tasks as of the latest loaded date (new accounts of the dates just loaded)."""
    as_of = max(dates) if dates else latest_loaded_date()
    if as_of is None:
        return {}
    dormant = dormant_customers(con, day=dt.date(as_of.year - 1, 12, 31))
    result = visits_generate(as_of=as_of, opened_from=min(dates) if dates else None, dormant=dormant)
    return {"visit_new": result.new_accounts, "visit_existing": result.existing, "visit_departed": result.departed,
            "rerouted": result.rerouted}
