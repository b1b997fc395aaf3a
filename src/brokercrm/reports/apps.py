from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "brokercrm.reports"
    label = "reports"
    verbose_name = _("Reports and dashboards")

    def ready(self):
        from brokercrm.reports import menus  # noqa: F401  (menus registers the menu entries)
