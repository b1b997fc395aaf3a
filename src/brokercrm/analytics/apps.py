from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "brokercrm.analytics"
    label = "analytics"
    verbose_name = _("Customer analysis")

    def ready(self) -> None:
        from brokercrm.analytics import menus  # noqa: F401  (registers the menu entries)
