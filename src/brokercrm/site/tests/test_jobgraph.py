"""The load graph: one ordered definition, every step after the steps it needs, reached through the setting."""
from brokercrm.core.jobgraph import downstream, load_graph
from brokercrm.site.jobgraph import LOAD_GRAPH


def test_the_load_graph_runs_its_steps_in_this_order_each_after_what_it_needs():
    """The settings name this graph; its order is topological and is exactly the sequence a load runs."""
    graph = load_graph()

    assert graph is LOAD_GRAPH or graph == LOAD_GRAPH
    assert [s.name for s in graph] == ["ingest", "app_sync", "crm_files", "crm", "build_dw", "build_marts", "publish",
                                       "customer_figures", "segments", "products", "alerts", "visits"]
    position = {s.name: i for i, s in enumerate(graph)}
    assert all(position[need] < position[s.name] for s in graph for need in s.needs)
    assert [s.name for s in graph if not s.recorded] == ["ingest"]
    assert [s.name for s in graph if s.when_idle] == ["crm_files"]


def test_a_staff_or_relations_refresh_runs_the_graph_from_the_crm_copy_on():
    """Ingest and the app sync belong to a delivery; a refresh re-runs everything downstream of the CRM copy."""
    assert [s.name for s in downstream(load_graph(), "crm")] == ["crm", "build_dw", "build_marts", "publish", "customer_figures",
                                                                 "segments", "products", "alerts", "visits"]
