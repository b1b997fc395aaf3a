"""The six roles of SPEC.md and what each may do beyond its data scope."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System admin")
    HEAD_OFFICE = "head_office", _("Head-office manager")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    BROKER = "broker", _("Broker / account manager")
    SERVICE_AGENT = "service_agent", _("Service agent")
    COMPLIANCE = "compliance", _("Compliance")


ALL_ROLES = {r.value for r in Role}
COMPANY_WIDE = {Role.ADMIN, Role.HEAD_OFFICE, Role.COMPLIANCE}
# Roles that may change organisation data (compliance is read-only everywhere).
ORG_EDITORS = {Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER}
# Roles that may see ID and mobile numbers unmasked (each unmask is audited).
UNMASKERS = {Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.BROKER, Role.SERVICE_AGENT}
AUDIT_READERS = {Role.ADMIN, Role.COMPLIANCE}

# Customer segments (analytics): who reads them, who defines tiers and groups, who pins a customer's tier.
SEGMENT_READERS = ALL_ROLES - {Role.SERVICE_AGENT}
SEGMENT_EDITORS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
TIER_PIN_EDITORS = SEGMENT_EDITORS | {Role.BRANCH_MANAGER}
# Differentiated service (servicing): who works tasks and alerts, assigns, spot-checks, configures.
SERVICE_WORKERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.BROKER, Role.SERVICE_AGENT})
TASK_ASSIGNERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER})
SPOT_CHECKERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.COMPLIANCE})
SERVICE_CONFIGURERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
SERVICE_OVERSEERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.COMPLIANCE})
ALERT_RULE_READERS = SERVICE_CONFIGURERS | {Role.COMPLIANCE}
# Evaluation: every role but service agents reads; head office runs schemes and changes them.
EVALUATION_READERS = ALL_ROLES - {Role.SERVICE_AGENT}
EVALUATION_MANAGERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
# Compensation: head office calculates, submits and locks payrolls and changes pay rules.
PAYROLL_RUNNERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE})
# Roles with a "my work today" page of their own tasks and alerts.
MY_WORK_USERS = frozenset({Role.BROKER, Role.SERVICE_AGENT, Role.BRANCH_MANAGER})
