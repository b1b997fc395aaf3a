"""What other apps (the site) may use of reports and dashboards; plain values and dataclasses only."""
from brokercrm.reports.demo import reports_demo_setup  # noqa: F401
from brokercrm.reports.services import subscriptions_deliver  # noqa: F401
