from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "brokercrm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from brokercrm.customers import menus  # noqa: F401  (registers the menu entries)
        from brokercrm.customers.services import customer_figures_refresh
        from brokercrm.datacenter.facade import register_downstream

        register_downstream("customer_figures", customer_figures_refresh)
