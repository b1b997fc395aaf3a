from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "brokercrm.research"
    label = "research"
    verbose_name = _("Research library")

    def ready(self) -> None:
        from brokercrm.research import menus  # noqa: F401  (registers the menu entries)
