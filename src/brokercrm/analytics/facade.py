"""What other apps may use of customer analysis: the segments step of the load graph (it brings scikit-learn,
so only the graph imports this facade) and the customers' current tiers (the reports' tier dimension).
Like every facade it only re-exports."""
from brokercrm.analytics.jobs import segments_step  # noqa: F401
from brokercrm.analytics.selectors import customer_tiers  # noqa: F401,E402
"""What other apps may use of customer analysis: the segments step of the load graph, and the members of a segment
of a month (service strategies). Like every facade it only re-exports."""
from brokercrm.analytics.jobs import segments_step  # noqa: F401
from brokercrm.analytics.selectors import built_periods, segment_member_ids  # noqa: F401
