"""The servicing steps of the load graph (site/jobgraph.py): alerts (with exception visits), then visits (regulatory,
key-customer) and customer care.

They run in the writer process on the warehouse the load holds open; the data center's facade runs
the set-wise reads over its facts there, and only the results are written to the app database.
"""
import datetime as dt

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.facade import dormant_customers, latest_loaded_date
from brokercrm.servicing import rules
from brokercrm.servicing.segments import segment_member_contacts, segment_month
from brokercrm.servicing.services.alerts import alerts_raise, alerts_reroute, effective_rules
from brokercrm.servicing.services.care import care_generate
from brokercrm.servicing.services.tasks import policy_visits_generate, visit_policy, visits_generate


def alerts_step(dates: list[dt.date], *, con) -> dict:
    """Evaluate the enabled alert rules on the business dates just loaded; returns row counts.

    Without dates (staff or relations changed), every alert is routed again by the relations now on record.
    """
    if not dates:
        return {"servicing.alerts": 0, "rerouted": alerts_reroute()}
    result = alerts_raise(candidates=rules.evaluate(con, dates=dates, rules=effective_rules()))
    exception = policy_visits_generate(as_of=max(dates), dates=dates).exception
    return {"servicing.alerts": result.alerts, "servicing.tasks": result.tasks, "duplicates": result.duplicates,
            "visit_exception": exception}


def visits_step(dates: list[dt.date], *, con) -> dict:
    """Regulatory visit tasks as of the latest loaded date (new accounts of the dates just loaded)."""
    as_of = max(dates) if dates else latest_loaded_date()
    if as_of is None:
        return {}
    dormant = dormant_customers(con, day=dt.date(as_of.year - 1, 12, 31))
    result = visits_generate(as_of=as_of, opened_from=min(dates) if dates else None, dormant=dormant)
    key = policy_visits_generate(as_of=as_of, key_customers=key_customers(as_of)).key
    care = care_generate(dates=list(dates), con=con)
    return {"visit_new": result.new_accounts, "visit_existing": result.existing, "visit_departed": result.departed,
            "visit_key": key, "rerouted": result.rerouted, "care_messages": care.birthdays + care.anniversaries + care.holidays,
            "care_tasks": care.drop_tasks}


def key_customers(as_of: dt.date) -> list[tuple[int, str]]:
    """The visit policy's key segment on as_of: the memberships of as_of's month once built, else of the latest built
    month (the segments step runs beside this one); none before any segments exist."""
    code = visit_policy().key_segment
    if not code:
        return []
    try:
        return [(c.id, c.customer_no) for c in segment_member_contacts(code, period=segment_month(as_of), day=as_of)]
    except DomainError:
        return []
