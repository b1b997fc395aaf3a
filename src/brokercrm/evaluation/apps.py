from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "brokercrm.evaluation"
    label = "evaluation"
    verbose_name = _("Sales-team evaluation")

    def ready(self) -> None:
        from brokercrm.evaluation import menus  # noqa: F401  (registers the menu entries)
        from brokercrm.evaluation.exports import register_export_subcommands  # apps are loaded: models may be imported

        from brokercrm.evaluation import appeals, levels, targets

        register_export_subcommands()
        levels.register()
        appeals.register()
        targets.register()
