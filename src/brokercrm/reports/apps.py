from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "brokercrm.reports"
    label = "reports"
    verbose_name = _("Reports and dashboards")

    def ready(self):
        from brokercrm.core.periodic import periodic_register  # registered once the apps are loaded
        from brokercrm.reports import menus  # noqa: F401  (menus registers the menu entries)
        from brokercrm.reports.tasks import dashboards_schedule, subscriptions_schedule  # models load after ready

        periodic_register("report subscriptions", subscriptions_schedule)
        periodic_register("dashboards", dashboards_schedule)
