from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "brokercrm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from brokercrm.customers import menus  # noqa: F401  (registers the menu entries)
