"""What other apps may use of the servicing app: workload counts (evaluation), the alert and visit steps (the load graph),
and the content registry (apps above add content kinds and suitability rules of strategies, servicing/contents.py)."""
from brokercrm.servicing.selectors import work_indicators  # noqa: F401
from brokercrm.servicing.jobs import alerts_step, visits_step  # noqa: F401
from brokercrm.servicing.selectors import SERVICE_EVENTS, service_events  # noqa: F401,E402
from brokercrm.servicing.services.outbox import message_enqueue, outbox_send  # noqa: F401,E402
from brokercrm.servicing.segments import PLAIN as BUILTIN_SEGMENTS, segment_member_contacts, segment_month  # noqa: F401
from brokercrm.servicing.contents import (  # noqa: F401
    ContentRequest, RenderedContent, SuitabilityRequest, register_content, register_suitability,
)
# The demo (site/demo.py) sets up strategies, the call queue, key-customer visits and care like an operator would.
from brokercrm.servicing.services.strategies import strategy_activate, strategy_create, strategy_run  # noqa: F401,E402
from brokercrm.servicing.services.tasks import business_today, policy_visits_generate, task_complete, task_take  # noqa: F401,E402
from brokercrm.servicing.services.care import care_generate  # noqa: F401,E402
from brokercrm.servicing.jobs import key_customers  # noqa: F401,E402
from brokercrm.servicing.selectors import call_queue, strategy_named, visit_to_complete  # noqa: F401,E402
