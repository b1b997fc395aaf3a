from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "brokercrm.research"
    label = "research"
    verbose_name = _("Research library")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.customers.facade import register_panel
        from brokercrm.research import menus  # noqa: F401  (registers the menu entries)
        from brokercrm.research.selectors import research_received

        register_panel("research", _("Research received"), template="research/_received.html",
                       context=lambda request, customer: {"received": research_received(customer_id=customer.id)}, order=60)
