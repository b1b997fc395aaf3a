"""What other apps may use of the servicing app: workload counts (evaluation), the alert and visit steps (the load graph),
and the content registry (apps above add content kinds and suitability rules of strategies, servicing/contents.py)."""
from brokercrm.servicing.selectors import work_indicators  # noqa: F401
from brokercrm.servicing.jobs import alerts_step, visits_step  # noqa: F401
from brokercrm.servicing.contents import ContentRequest, RenderedContent, register_content, register_suitability  # noqa: F401
