"""What other apps may use of the servicing app."""
import datetime as dt

from django.db.models import Count, Q

from brokercrm.servicing.models import ServiceTask

WORK_INDICATORS = ("visits_done", "service_tasks_done")


def work_indicators(staff_nos: list[str], date_from: dt.date, date_to: dt.date) -> dict[str, dict[str, int]]:
    """Service workload per staff member: tasks done (any kind, visits included) and visits done, by done date in [from, to].

    A task counts for the staff member it was assigned to; every requested staff_no is in the answer (zeros included).
    """
    rows = (ServiceTask.objects.filter(status=ServiceTask.Status.DONE, staff__staff_no__in=staff_nos,
                                       done_at__date__gte=date_from, done_at__date__lte=date_to)
            .values("staff__staff_no")
            .annotate(tasks=Count("id"), visits=Count("id", filter=Q(kind__in=ServiceTask.VISIT_KINDS))))
    result = {no: {"visits_done": 0, "service_tasks_done": 0} for no in staff_nos}
    for row in rows:
        result[row["staff__staff_no"]] = {"visits_done": row["visits"], "service_tasks_done": row["tasks"]}
    return result
from brokercrm.servicing.jobs import alerts_step, visits_step  # noqa: F401,E402
