"""What other apps may use of the organisation."""
from brokercrm.org.models import Branch, Staff, User  # noqa: F401
from brokercrm.org.scope import DataScope, scope_for  # noqa: F401
from brokercrm.org.services import branch_upsert  # noqa: F401
from brokercrm.org.roles import Role  # noqa: F401,E402
from brokercrm.org.services import user_create  # noqa: F401,E402
# Used by the upper apps (analytics, servicing, evaluation, compensation): role sets, scoped staff and branch lists, categories.
from brokercrm.org.roles import (ALERT_RULE_READERS, ALL_ROLES, COMPANY_WIDE, EVALUATION_MANAGERS,  # noqa: F401,E402
                                 EVALUATION_READERS, PAYROLL_RUNNERS, SEGMENT_EDITORS, SEGMENT_READERS, SERVICE_CONFIGURERS,
                                 MY_WORK_USERS, SERVICE_OVERSEERS, SERVICE_WORKERS, SPOT_CHECKERS, TASK_ASSIGNERS,
                                 TIER_PIN_EDITORS)
from brokercrm.org.selectors import (StaffCategoryRef, branch_list, category_level_ids, staff_categories,  # noqa: F401,E402
                                     staff_get, staff_list)
