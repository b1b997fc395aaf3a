"""The simulator's deliveries pass the validator and load into the ODS, whatever the seed."""
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import duckdb

from brokercrm.datacenter.pipelines.ods import ingest_days
from brokercrm.datacenter.validation import validate_delivery_report
from brokercrm.simulator.facade import simulate


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(min_value=0, max_value=1_000_000),
    customers=st.integers(min_value=5, max_value=250),
    days=st.integers(min_value=2, max_value=4),
    start=st.sampled_from([date(2026, 3, 2), date(2025, 12, 29), date(2026, 2, 12), date(2025, 9, 29)]),
)
def test_simulated_deliveries_pass_the_validator(tmp_path_factory, seed, customers, days, start):
    """Any seed, size and start (year ends and holidays included): zero problems."""
    out = tmp_path_factory.mktemp("simulated")
    summary = simulate(out=out, start=start, days=days, customers=customers, staff=8, branches=2, seed=seed)
    report = validate_delivery_report(out)
    assert (report.problems, report.days) == ((), summary.days_written)


def test_simulated_delivery_loads_every_day(tmp_path):
    """ingest_days loads a simulated delivery whole; rows written equal the manifests' rows."""
    summary = simulate(out=tmp_path / "sim", start=date(2026, 3, 2), days=3, customers=120, staff=8, branches=2, seed=11)
    con = duckdb.connect()
    results = ingest_days(con, summary.root)
    assert [(r.loaded, r.problems) for r in results] == [(True, ())] * 3
    assert all(r.rows_written == r.rows_read for r in results)
