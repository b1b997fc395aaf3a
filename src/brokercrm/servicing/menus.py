"""Menu entries of the servicing app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import ALL_ROLES, Role

MANAGERS = {Role.ADMIN, Role.HEAD_OFFICE, Role.BRANCH_MANAGER, Role.COMPLIANCE}

navigation.register(_("My work today"), "servicing:my_work", roles={Role.BROKER, Role.SERVICE_AGENT, Role.BRANCH_MANAGER}, order=50)
navigation.register(_("Alerts"), "servicing:alerts", roles=ALL_ROLES, order=51)
navigation.register(_("Service tasks"), "servicing:tasks", roles=ALL_ROLES, order=52)
navigation.register(_("Visit records"), "servicing:visits", roles=ALL_ROLES, order=53)
navigation.register(_("Outbox"), "servicing:outbox", roles=MANAGERS, order=54)
navigation.register(_("Service strategies"), "servicing:strategies", roles=MANAGERS, order=55)
navigation.register(_("Alert rules"), "servicing:alert_rules", roles={Role.ADMIN, Role.HEAD_OFFICE, Role.COMPLIANCE}, order=56)
