from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "brokercrm.platform"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from brokercrm.platform import menus  # noqa: F401  (registers the menu entries)
