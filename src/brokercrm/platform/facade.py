"""What other apps may use of the platform: custom fields, the formula language, the workflow engine, and the
hand-over of roles and data scope from the organisation (platform imports no domain app; org configures it).

The convention of every facade: it only re-exports functions (from services and selectors) and frozen dataclasses
(from contracts.py); functions take ids and plain values and return frozen dataclasses or plain values.
"""
from brokercrm.platform.access import PlatformAccess, configure as platform_access_configure  # noqa: F401
from brokercrm.platform.contracts import ApplicationRef, CustomField  # noqa: F401
from brokercrm.platform.custom_fields import (  # noqa: F401
    DisplayRow,
    add_form_fields as custom_field_form_add,
    attach_problems as custom_field_form_problems,
    clean_values as custom_field_values_clean,
    definitions as custom_field_definitions,
    display_rows as custom_field_rows,
    export_cells as custom_field_cells,
    filter_params as custom_field_filter_params,
    filter_q as custom_field_filter_q,
    form_values as custom_field_form_values,
    parse_value as custom_field_parse,
)
from brokercrm.platform.formula import Formula, FormulaError, compile_formula  # noqa: F401
from brokercrm.platform.services import custom_values_set  # noqa: F401
from brokercrm.platform.workflow.registry import HandlerContext, register_handler, register_process  # noqa: F401
from brokercrm.platform.workflow.selectors import inbox_count, pending_applications, process_instances_exist  # noqa: F401
from brokercrm.platform.workflow.services import process_apply  # noqa: F401
from brokercrm.platform.workflow.services import (  # noqa: F401
    may_decide, pending_task_id, processes_withdraw, task_decide_by_id,
)
from brokercrm.platform.workflow.services import task_escalate  # noqa: F401,E402
