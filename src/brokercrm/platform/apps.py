from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "brokercrm.platform"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.platform import access, menus

        access.when_configured(menus.register)
