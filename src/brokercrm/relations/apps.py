from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationsConfig(AppConfig):
    name = "brokercrm.relations"
    label = "relations"
    verbose_name = _("Broker relationships")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.customers.facade import register_panel
        from brokercrm.relations import applications, menus  # noqa: F401  (registers the menu entries)

        applications.register()
        # The history the 360° page shows is the one the relations panel reads, scoped by the requesting user.
        register_panel("relations", _("Relation history"), template="relations/_history.html",
                       context=lambda request, customer: {}, order=10)
