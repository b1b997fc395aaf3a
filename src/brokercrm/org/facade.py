"""What other apps may use of the organisation: the data scope, the roles and their named sets, staff and branches.

Decided (issue 12): org's Staff, Branch and User rows — and the scoped querysets of them the selectors return — may
cross app lines. They are the organisation every app references (foreign keys, forms, pay lines), so wrapping them
in dataclasses would copy the whole model for nothing; everything else a facade hands out is a frozen dataclass or a
plain value. Like every facade, this module only re-exports functions, dataclasses and constants; no logic.
"""
from brokercrm.org.models import Branch, Staff, User  # noqa: F401
from brokercrm.org.roles import (  # noqa: F401
    ALL_ROLES, AUDIT_READERS, BULK_TRANSFER_APPLICANTS, COMPANY_WIDE, CUSTOMER_EDITORS, ORG_EDITORS, ORG_READERS,
    RELATION_APPLICANTS, RELATION_IMPORTERS, RELATION_READERS, STAFF_BOUND, UNMASKERS, WORKFLOW_USERS, Role,
)
from brokercrm.org.scope import DataScope, scope_for  # noqa: F401
from brokercrm.org.selectors import branch_get, branch_list, staff_get, staff_list  # noqa: F401
from brokercrm.org.services import StaffImportResult, branch_upsert, staff_import, staff_leave, user_create  # noqa: F401
from brokercrm.org.roles import (  # noqa: F401
    ALERT_RULE_READERS, EVALUATION_MANAGERS, EVALUATION_READERS, MY_WORK_USERS, PAYROLL_RUNNERS, SEGMENT_EDITORS,
    SEGMENT_READERS, SERVICE_CONFIGURERS, SERVICE_OVERSEERS, SERVICE_WORKERS, SPOT_CHECKERS, TASK_ASSIGNERS,
    TIER_PIN_EDITORS,
)
from brokercrm.org.roles import BRANCH_TASK_OVERRIDERS, TASK_OVERRIDERS  # noqa: F401
from brokercrm.org.selectors import StaffCategoryRef, category_level_ids, staff_categories  # noqa: F401
from brokercrm.org.roles import CALENDAR_EDITORS  # noqa: F401
from brokercrm.org.selectors import staff_rows  # noqa: F401
from brokercrm.org.roles import PROSPECT_REVIEWERS  # noqa: F401
from brokercrm.org.roles import APPROVAL_ESCALATION, COST_BENEFIT_READERS, EVALUATION_RUNNERS  # noqa: F401
from brokercrm.org.roles import REPORT_MANAGERS, REPORT_READERS  # noqa: F401,E402
from brokercrm.org.roles import RESEARCH_DISTRIBUTORS, RESEARCH_EDITORS, RESEARCH_READERS  # noqa: F401
from brokercrm.org.roles import PRODUCT_EDITORS, PRODUCT_RECOMMENDERS  # noqa: F401,E402
from brokercrm.org.roles import CALL_CENTRE_AGENTS  # noqa: F401,E402
from brokercrm.org.roles import OBJECT_ADMINS  # noqa: F401,E402
from brokercrm.org.policy import (  # noqa: F401,E402
    UNMASKABLE_FIELDS, RolePolicy, role_code_of, role_pages, role_policies, user_may_unmask, user_page_allowed, user_policy,
)
from brokercrm.org.roles import CONFIG_ADMINS  # noqa: F401,E402
from brokercrm.org.admin_services import role_create_from, role_save, user_update  # noqa: F401,E402
from brokercrm.org.menus_data import register_menu_path_check  # noqa: F401,E402
from brokercrm.org.policy import config_changed  # noqa: F401,E402
from brokercrm.org.menus_data import menu_editor_sections, menu_item_add, menu_item_move, menu_item_rename  # noqa: F401,E402
from brokercrm.org.role_grants import GrantRow, GrantSection, register_role_grants  # noqa: F401,E402
