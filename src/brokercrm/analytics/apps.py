from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "brokercrm.analytics"
    label = "analytics"
    verbose_name = _("Customer analysis")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.analytics import hooks, menus  # noqa: F401  (menus registers the menu entries)
        from brokercrm.analytics.exports import SEGMENTS_SUBCOMMAND
        from brokercrm.datacenter.facade import register_export

        register_export("segments", *SEGMENTS_SUBCOMMAND)
        hooks.register()
