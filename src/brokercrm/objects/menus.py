"""Menu entries of this app (core.navigation.register): the object lists every role may open, the type definitions for admins."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import ALL_ROLES, OBJECT_ADMINS

navigation.register(_("Business objects"), "objects:index", roles=ALL_ROLES, order=80)
navigation.register(_("Object types"), "objects:type_list", roles=OBJECT_ADMINS, order=81)
