from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicingConfig(AppConfig):
    name = "brokercrm.servicing"
    label = "servicing"
    verbose_name = _("Differentiated service")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.customers.facade import register_panel
        from brokercrm.servicing import menus  # noqa: F401  (registers the menu entries)
        from brokercrm.servicing.exports import register_export_subcommand
        from brokercrm.servicing.renderers import register_renderers
        from brokercrm.servicing import advice
        from brokercrm.servicing.selectors import customer_service_history

        register_export_subcommand()
        register_renderers()
        advice.register()
        register_panel("service_history", _("Service history"), template="servicing/_service_history.html",
                       context=lambda request, customer: customer_service_history(customer_id=customer.id), order=20)
