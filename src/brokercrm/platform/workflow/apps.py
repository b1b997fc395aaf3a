from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "brokercrm.platform.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from brokercrm.platform.workflow import menus  # noqa: F401  (registers the menu entries)
