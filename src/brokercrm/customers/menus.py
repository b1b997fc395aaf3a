"""Menu entries of this app (core.navigation.register)."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import ALL_ROLES, CONFIG_ADMINS

navigation.register(_("Customers"), "customers:list", roles=ALL_ROLES, order=20)
navigation.register(_("Prospects"), "customers:prospect_list", roles=ALL_ROLES, order=21)
navigation.register(_("Page layouts"), "customers:layouts", roles=CONFIG_ADMINS, order=89)
