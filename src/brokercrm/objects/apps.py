from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

PROCESSES = Path(__file__).parent / "processes"


class ObjectsConfig(AppConfig):
    name = "brokercrm.objects"
    label = "objects"
    verbose_name = _("Business objects")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.customers.facade import register_panel
        from brokercrm.objects import menus  # noqa: F401  (registers the menu entries)
        from brokercrm.core.periodic import periodic_register
        from brokercrm.objects.selectors import type_readable_by_role
        from brokercrm.objects.tasks import escalation_schedule
        from brokercrm.objects.services import record_state_from_process
        from brokercrm.org.facade import GrantRow, GrantSection, register_menu_path_check, register_role_grants
        from brokercrm.objects.definition import ACTIONS
        from brokercrm.objects.type_edits import role_object_grants, role_object_grants_save
        from brokercrm.objects.views import customer_records_panel
        from brokercrm.platform.facade import register_handler, register_process

        register_process("complaint", label=_("Complaint handling"), shipped=PROCESSES / "complaint.bpmn",
                         fields={"record_id", "type_code", "number", "staff_no"}, detail_template="objects/_process_detail.html")
        register_handler("objects.state", lambda c: record_state_from_process(record_id=c.data["record_id"], step_name=c.step_name,
                                                                              actor=c.actor),
                         label=_("The record takes the state of the step"))
        register_menu_path_check("/objects/", type_readable_by_role)
        periodic_register("overdue records", escalation_schedule)
        register_role_grants(GrantSection("objects", _("Business objects: actions by type"), ACTIONS,
                                          rows=lambda role: [GrantRow(g.type_code, g.type_name, g.actions)
                                                             for g in role_object_grants(role=role)],
                                          save=role_object_grants_save))
        register_panel("objects", _("Business objects"), template="objects/_panel.html", context=customer_records_panel, order=60)
