from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import ALL_ROLES, AUDIT_READERS, ORG_READERS

navigation.register(_("Home"), "home", roles=ALL_ROLES, order=0)
navigation.register(_("Organisation"), "org:tree", roles=ORG_READERS, order=10)
navigation.register(_("Staff"), "org:staff_list", roles=ORG_READERS, order=11)
navigation.register(_("Audit log"), "audit_log", roles=AUDIT_READERS, order=90)
navigation.register(_("API tokens"), "api_tokens", roles=ALL_ROLES, order=95)
navigation.register(_("Two-factor login"), "two_factor", roles=ALL_ROLES, order=96)
