from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation

navigation.register(_("Scheduling console"), "datacenter:console", roles={"admin", "head_office"}, order=80)
