"""Menu entries of this app (core.navigation.register)."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import Role

navigation.register(_("Custom fields"), "platform:custom_field_list", roles={Role.ADMIN}, order=85)
