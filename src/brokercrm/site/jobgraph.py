"""The load graph: every step a load runs, in order, each naming the steps it needs.

Defined here, at the top layer, because its steps come from every app's facade; the data center
runs it (settings.BROKERCRM_JOB_GRAPH) for `etl run`, the console and the scheduler, and from the
CRM copy on for a staff or relations refresh (core.jobgraph.refresh_request).
"""
from pathlib import Path

from brokercrm.analytics.facade import segments_step
from brokercrm.core.jobgraph import Load, Step
from brokercrm.customers.facade import customer_figures_refresh, customer_sync
from brokercrm.datacenter.facade import (RelationRow, StaffRow, build_dw_step, build_marts_step, crm_copy, delivered_rows, ingest,
                                         publish_step)
from brokercrm.org.facade import branch_upsert, staff_import, staff_rows
from brokercrm.products.facade import products_step
from brokercrm.relations.facade import development_relation_rows, relation_import
from brokercrm.servicing.facade import alerts_step, visits_step


def app_sync(load: Load) -> dict:
    """Branches and customers of the load's days into the app database (current version, with history), in one pass: every
    version read at once, each customer written once, the history as if the days had been synced one by one."""
    first, last, days = load.dates[0], load.dates[-1], len(load.dates)
    load.note(f"app_sync {first} … {last} ({days} day(s)): reading the delivered customers")
    branches, customers = delivered_rows(load, load.dates)
    seen: dict[str, tuple] = {}
    for b in branches:  # a branch delivered unchanged writes nothing: upsert only where its version changes
        version = (b["branch_name"], b["city"] or "", b["opened_on"])
        if seen.get(b["branch_code"]) != version:
            branch_upsert(code=b["branch_code"], name=version[0], city=version[1], opened_on=version[2])
            seen[b["branch_code"]] = version
    load.note(f"app_sync {first} … {last} ({days} day(s)): writing {len(customers):,} customer versions")
    result = customer_sync(rows=customers)
    return {"app.branches": len(branches), "app.customers_created": result.created, "app.customers_updated": result.updated}


def _crm_file_paths(load: Load) -> tuple[Path, Path] | None:
    """staff.csv and relations.csv beside the day folders, when this load picks them up: a load of every new day (a load
    of named days may predate customers the files name)."""
    source = load.request.get("source")
    if not source or load.request.get("dates") or load.request.get("from") or load.request.get("to"):
        return None
    return Path(source) / "staff.csv", Path(source) / "relations.csv"


def ingest_batch(load: Load) -> None:
    """The CRM files' own rules first, so that a bad staff.csv or relations.csv refuses the whole batch with
    FILE:LINE:COLUMN before any day is loaded; then the days. Their references to branches, customers and staff of the
    same delivery are checked when crm_files imports them."""
    paths = _crm_file_paths(load)
    if paths:
        staff_csv, relations_csv = paths
        if staff_csv.is_file():
            staff_import(actor=None, data=staff_csv.read_bytes(), file_name=str(staff_csv), check_only=True)
        if relations_csv.is_file():
            relation_import(actor=None, data=relations_csv.read_bytes(), file_name=str(relations_csv), check_only=True)
    ingest(load)


def crm_files(load: Load) -> dict:
    """staff.csv and relations.csv delivered beside the day folders, imported in the same load so the chain after the
    CRM copy runs once for the batch (not once per file). Unchanged files change nothing and, on a run without days,
    stop the graph."""
    paths = _crm_file_paths(load)
    if paths is None:
        load.nothing_changed = not load.dates
        return {}
    rows = {}
    staff_csv, relations_csv = paths
    if staff_csv.is_file():
        staff = staff_import(actor=None, data=staff_csv.read_bytes(), file_name=str(staff_csv), refresh=False)
        rows.update({"crm_files.staff_created": staff.created, "crm_files.staff_updated": staff.updated})
    if relations_csv.is_file():
        relations = relation_import(actor=None, data=relations_csv.read_bytes(), file_name=str(relations_csv), refresh=False)
        rows.update({"crm_files.relations_created": relations.created, "crm_files.relations_ended": relations.ended})
    load.nothing_changed = not load.dates and not any(rows.values())
    return rows


def crm(load: Load) -> dict:
    """Staff and development relations, from the app database into the warehouse's CRM layer."""
    return crm_copy(load, staff=[StaffRow(*row) for row in staff_rows()],
                    development_relations=[RelationRow(*row) for row in development_relation_rows()])


def customer_figures(load: Load) -> dict:
    return customer_figures_refresh(load.dates)


def segments(load: Load) -> dict:
    return segments_step(load.dates)


def products(load: Load) -> dict:
    return products_step(load)


def alerts(load: Load) -> dict:
    return alerts_step(load.dates, con=load.con)


def visits(load: Load) -> dict:
    return visits_step(load.dates, con=load.con)


LOAD_GRAPH = (
    Step("ingest", ingest_batch, recorded=False),
    Step("app_sync", app_sync, needs=("ingest",)),
    Step("crm_files", crm_files, needs=("app_sync",), when_idle=True),
    Step("crm", crm, needs=("crm_files",)),
    Step("build_dw", build_dw_step, needs=("crm",)),
    Step("build_marts", build_marts_step, needs=("build_dw",)),
    Step("publish", publish_step, needs=("build_marts",)),
    Step("customer_figures", customer_figures, needs=("publish", "app_sync")),
    Step("segments", segments, needs=("publish", "app_sync")),
    Step("products", products, needs=("publish", "app_sync")),
    Step("alerts", alerts, needs=("build_dw",)),
    Step("visits", visits, needs=("build_dw", "app_sync")),
)
