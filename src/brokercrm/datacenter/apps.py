from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacenterConfig(AppConfig):
    name = "brokercrm.datacenter"
    label = "datacenter"
    verbose_name = _("Data center")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.core import notices
        from brokercrm.datacenter import menus  # noqa: F401  (registers the menu entries)
        from brokercrm.datacenter.notices import home_notices

        notices.register(home_notices)
