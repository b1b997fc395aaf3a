"""What other apps may use of the servicing app: workload counts (evaluation), the alert and visit steps (the load graph)."""
from brokercrm.servicing.selectors import work_indicators  # noqa: F401
from brokercrm.servicing.jobs import alerts_step, visits_step  # noqa: F401
from brokercrm.servicing.selectors import SERVICE_EVENTS, service_events  # noqa: F401,E402
from brokercrm.servicing.services.outbox import message_enqueue, outbox_send  # noqa: F401,E402
from brokercrm.servicing.services.outbox import message_enqueue  # noqa: F401
from brokercrm.servicing.services.strategies import BUILTIN_SEGMENTS, segment_customers  # noqa: F401
from brokercrm.servicing.services.outbox import message_enqueue  # noqa: F401,E402
