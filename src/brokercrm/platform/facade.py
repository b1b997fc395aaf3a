"""What other apps may use of the platform (custom fields, formulas, the workflow engine)."""
from brokercrm.platform.workflow.models import ProcessInstance


def process_instances_exist() -> bool:
    """Whether any approval process was ever started."""
    return ProcessInstance.objects.exists()


# Used by the upper apps: the formula language (analytics, evaluation, compensation) and, for compensation's
# payroll approvals, the workflow engine by process key and business key (no engine models cross).
from brokercrm.platform.formula import Formula, FormulaError, compile_formula  # noqa: F401,E402
from brokercrm.platform.workflow.registry import HandlerContext, register_handler, register_process  # noqa: F401,E402
from brokercrm.platform.workflow.services import (may_decide, pending_task_id, process_start,  # noqa: F401,E402
                                                  processes_withdraw, task_decide_by_id)
