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
# Roles that may import the exchange closures of a year (everyone may view the trading calendar).
CALENDAR_EDITORS = {Role.ADMIN, Role.HEAD_OFFICE}
