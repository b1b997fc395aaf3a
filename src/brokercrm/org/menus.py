from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import ALL_ROLES, AUDIT_READERS, Role

navigation.register(_("Home"), "home", roles=ALL_ROLES, order=0)
navigation.register(_("Organisation"), "org:tree", roles=ALL_ROLES - {Role.SERVICE_AGENT}, order=10)
navigation.register(_("Staff"), "org:staff_list", roles=ALL_ROLES - {Role.SERVICE_AGENT}, order=11)
navigation.register(_("Audit log"), "audit_log", roles=AUDIT_READERS, order=90)
