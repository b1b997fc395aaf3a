"""What other apps may use of customer analysis: the segments step of the load graph, the members of a segment of a
month (service strategies) and the customers' current tiers (the reports' tier dimension). Like every facade it only
re-exports."""
from brokercrm.analytics.jobs import segments_step  # noqa: F401
from brokercrm.analytics.selectors import built_periods, customer_month_groups, customer_tiers, segment_member_ids  # noqa: F401
