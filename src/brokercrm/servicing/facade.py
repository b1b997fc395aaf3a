"""What other apps (evaluation) may use of the servicing app: plain counts only."""
from brokercrm.servicing.selectors import work_indicators  # noqa: F401
