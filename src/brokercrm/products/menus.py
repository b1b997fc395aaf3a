"""Menu entries of the products app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import ALL_ROLES

navigation.register(_("Products"), "products:list", roles=ALL_ROLES, order=57)
