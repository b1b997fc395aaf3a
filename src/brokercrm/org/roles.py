"""The six roles of SPEC.md and the named role sets each action checks (core.permissions.require_role / role_required).

Every set of roles the project checks is written here, once, named by what it allows.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System admin")
    HEAD_OFFICE = "head_office", _("Head-office manager")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    BROKER = "broker", _("Broker / account manager")
    SERVICE_AGENT = "service_agent", _("Service agent")
    COMPLIANCE = "compliance", _("Compliance")


ALL_ROLES = frozenset(r.value for r in Role)
COMPANY_WIDE = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.COMPLIANCE})
# Roles that may change organisation data (compliance is read-only everywhere).
ORG_EDITORS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER})
# Roles that may see ID and mobile numbers unmasked (each unmask is audited).
UNMASKERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.BROKER, Role.SERVICE_AGENT})
AUDIT_READERS = frozenset({Role.ADMIN, Role.COMPLIANCE})
# Roles that change customer data (tags, custom values, groups, prospects): compliance reads and changes nothing.
CUSTOMER_EDITORS = ALL_ROLES - {Role.COMPLIANCE}
# Roles that review prospects queued because they matched someone outside the entering user's scope (a branch manager
# those of their own branch).
PROSPECT_REVIEWERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER})
# Roles that work with the organisation, relations and approvals; a service agent works from tasks and the call centre.
ORG_READERS = ALL_ROLES - {Role.SERVICE_AGENT}
RELATION_READERS = ALL_ROLES - {Role.SERVICE_AGENT}
WORKFLOW_USERS = ALL_ROLES - {Role.SERVICE_AGENT}
# Roles that may apply for a relation change of staff in their scope, and for the bulk transfer of a leaving staff member's book.
RELATION_APPLICANTS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.BROKER})
BULK_TRANSFER_APPLICANTS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER})
# Roles that load relations.csv (the CLI, as the system, may too).
RELATION_IMPORTERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
# Roles that configure the platform: custom fields and process definitions.
PLATFORM_ADMINS = frozenset({Role.ADMIN})
# Where an approval goes, in order, when no candidate other than the people concerned may decide it.
APPROVAL_ESCALATION = (Role.HEAD_OFFICE.value, Role.ADMIN.value)
# Roles that create users and API tokens (the CLI, as the system, may too).
USER_ADMINS = frozenset({Role.ADMIN})
# Roles that edit roles, menus, page layouts and staff categories and levels (the administration pages).
CONFIG_ADMINS = frozenset({Role.ADMIN})
# Roles whose users act as a staff member and so must be tied to one.
STAFF_BOUND = frozenset({Role.BROKER, Role.SERVICE_AGENT})

# Customer segments (analytics): who reads them, who defines tiers and groups, who pins a customer's tier.
SEGMENT_READERS = ALL_ROLES - {Role.SERVICE_AGENT}
SEGMENT_EDITORS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
TIER_PIN_EDITORS = SEGMENT_EDITORS | {Role.BRANCH_MANAGER}
# Differentiated service (servicing): who works tasks and alerts, assigns, spot-checks, configures.
SERVICE_WORKERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.BROKER, Role.SERVICE_AGENT})
TASK_ASSIGNERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER})
# Who completes a task assigned to someone else: the assignee's manager — company-wide, or the branch manager of the
# assignee's branch (checked with the branch in the service); a colleague or team leader never does.
TASK_OVERRIDERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
BRANCH_TASK_OVERRIDERS = frozenset({Role.BRANCH_MANAGER})
SPOT_CHECKERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.COMPLIANCE})
SERVICE_CONFIGURERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
SERVICE_OVERSEERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.COMPLIANCE})
# The call-centre desk (呼叫中心坐席): who takes tasks from the shared queue and pops callers company-wide.
CALL_CENTRE_AGENTS = frozenset({Role.SERVICE_AGENT})
ALERT_RULE_READERS = SERVICE_CONFIGURERS | {Role.COMPLIANCE}
# Evaluation: every role but service agents reads; head office runs schemes and changes them.
EVALUATION_READERS = ALL_ROLES - {Role.SERVICE_AGENT}
EVALUATION_MANAGERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
# Evaluation runs of one's own staff: branch managers their branch, team leaders (broker role) their team — the service
# narrows to the data scope; head office across the company. Appeals against a score: any evaluated staff member.
EVALUATION_RUNNERS = EVALUATION_MANAGERS | {Role.BRANCH_MANAGER, Role.BROKER}
# Cost–benefit (成本收益分析): pay against what staff bring in, within the data scope; compliance reads.
COST_BENEFIT_READERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.COMPLIANCE})
# Compensation: head office calculates, submits and locks payrolls and changes pay rules.
PAYROLL_RUNNERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
# Roles with a "my work today" page of their own tasks and alerts.
MY_WORK_USERS = frozenset({Role.BROKER, Role.SERVICE_AGENT, Role.BRANCH_MANAGER})
# Roles that may import the exchange closures of a year (everyone may view the trading calendar).
CALENDAR_EDITORS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
# Reports and dashboards: every role but service agents reads and builds its own reports (scoped); head office edits
# the shipped reports, the role dashboards and subscriptions of others.
REPORT_READERS = ALL_ROLES - {Role.SERVICE_AGENT}
REPORT_MANAGERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
# Research library (研究咨询库): every role reads it; head office uploads; who serves customers pushes clients' reports
# to the customers in their scope.
RESEARCH_READERS = ALL_ROLES
RESEARCH_EDITORS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
RESEARCH_DISTRIBUTORS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.BROKER})

# Products (issue 15): head office manages the shelf; whoever serves customers may recommend (scope still applies).
PRODUCT_EDITORS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
PRODUCT_RECOMMENDERS = SERVICE_WORKERS

# Business objects defined as data (issue 17): who defines object types (each type then names per role who may create,
# read, update, delete and export its records).
OBJECT_ADMINS = frozenset({Role.ADMIN})
