from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "brokercrm.evaluation"
    label = "evaluation"
    verbose_name = _("Sales-team evaluation")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready): they import models.
        from brokercrm.evaluation import appeals, levels, menus, targets  # noqa: F401  (menus registers the menu entries)
        from brokercrm.evaluation.exports import register_export_subcommands  # registers `export evaluation` and `export levels`

        register_export_subcommands()
        levels.register()
        appeals.register()
        targets.register()
