"""Menu entries of this app (core.navigation.register), with the roles the organisation handed over (platform.access)."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.platform.access import access


def register() -> None:
    navigation.register(_("Custom fields"), "platform:custom_field_list", roles=access().admins, order=85)
