from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "brokercrm.platform.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.platform import access
        from brokercrm.platform.workflow import menus, registry, services

        access.when_configured(menus.register)

        registry.register_handler("workflow.notify_completed", services.handle_notify_completed, label=_("Applicant notified of the approval"))
        registry.register_handler("workflow.notify_rejected", services.handle_notify_rejected, label=_("Applicant notified of the rejection"))
