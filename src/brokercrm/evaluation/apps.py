from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "brokercrm.evaluation"
    label = "evaluation"
    verbose_name = _("Sales-team evaluation")

    def ready(self) -> None:
        from brokercrm.evaluation import menus  # noqa: F401  (registers the menu entries)
