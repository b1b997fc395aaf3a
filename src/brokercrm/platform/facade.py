"""What other apps may use of the platform (custom fields, formulas, the workflow engine)."""
from brokercrm.platform.workflow.models import ProcessInstance


def process_instances_exist() -> bool:
    """Whether any approval process was ever started."""
    return ProcessInstance.objects.exists()
