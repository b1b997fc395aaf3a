"""What other apps may use of customer analysis: the segments step of the load graph (it brings scikit-learn,
so only the graph imports this facade). Like every facade it only re-exports."""
from brokercrm.analytics.jobs import segments_step  # noqa: F401
