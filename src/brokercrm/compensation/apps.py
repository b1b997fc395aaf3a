from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "brokercrm.compensation"
    label = "compensation"
    verbose_name = _("Compensation")

    def ready(self) -> None:
        from brokercrm.compensation import approvals, menus  # noqa: F401  (registers the menu entries)

        approvals.register()
