from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import ALL_ROLES

navigation.register(_("Scheduling console"), "datacenter:console", roles={"admin", "head_office"}, order=80)
navigation.register(_("Trading calendar"), "datacenter:calendar", roles=ALL_ROLES, order=81)
