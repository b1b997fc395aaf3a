from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import ALL_ROLES, AUDIT_READERS, CONFIG_ADMINS, ORG_READERS, USER_ADMINS

navigation.register(_("Home"), "home", roles=ALL_ROLES, order=0)
navigation.register(_("Organisation"), "org:tree", roles=ORG_READERS, order=10)
navigation.register(_("Staff"), "org:staff_list", roles=ORG_READERS, order=11)
navigation.register(_("Audit log"), "audit_log", roles=AUDIT_READERS, order=90)
navigation.register(_("API tokens"), "api_tokens", roles=ALL_ROLES, order=95)
navigation.register(_("Two-factor login"), "two_factor", roles=ALL_ROLES, order=96)
navigation.register(_("Users"), "org:users", roles=USER_ADMINS, order=91)
navigation.register(_("Roles"), "org:roles", roles=CONFIG_ADMINS, order=92)
navigation.register(_("Menu editor"), "org:menus", roles=CONFIG_ADMINS, order=93)
navigation.register(_("Staff categories and levels"), "org:categories", roles=CONFIG_ADMINS, order=94)
