"""What other apps may use of the workflow engine: register processes and handlers, start, decide, read tasks."""
from brokercrm.platform.workflow.models import ProcessInstance, WorkTask  # noqa: F401
from brokercrm.platform.workflow.registry import HandlerContext, register_handler, register_process  # noqa: F401
from brokercrm.platform.workflow.selectors import inbox_count, inbox_tasks, instance_get, instance_list  # noqa: F401
from brokercrm.platform.workflow.services import (  # noqa: F401
    definition_active, is_candidate, is_party, process_start, process_withdraw, task_decide,
)
