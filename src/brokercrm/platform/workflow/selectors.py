"""Reads of the workflow engine, scoped by the user: their inbox, the instances they may follow."""
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.platform.access import access
from brokercrm.platform.contracts import ApplicationRef
from brokercrm.platform.workflow.models import Notification, ProcessDefinition, ProcessInstance, WorkTask


def _user_branch_id(user) -> int | None:
    return user.branch_id or (user.staff.branch_id if user.staff_id else None)


def _candidate_q(user, prefix: str = "") -> Q:
    """Tasks whose candidates include the user's role (in the user's branch, or company-wide)."""
    branch = Q(**{f"{prefix}candidate_branch__isnull": True})
    if _user_branch_id(user) is not None:
        branch |= Q(**{f"{prefix}candidate_branch_id": _user_branch_id(user)})
    return Q(**{f"{prefix}candidate_role": user.role}) & branch


def inbox_tasks(*, user) -> QuerySet[WorkTask]:
    """Open tasks the user may decide: a candidate, and neither the applicant nor concerned by the change."""
    qs = WorkTask.objects.filter(_candidate_q(user), status=WorkTask.Status.OPEN).exclude(instance__started_by=user)
    if user.staff_id:
        qs = qs.exclude(instance__parties=user.staff_id)
    return qs.select_related("instance", "instance__started_by", "candidate_branch").order_by("created_at", "id")


def inbox_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return inbox_tasks(user=user).count()


def task_for_action(*, user, task_id: int) -> WorkTask:
    """An open task the user is a candidate for or is concerned by (the service refuses self-approval); else 404."""
    qs = WorkTask.objects.filter(status=WorkTask.Status.OPEN).filter(_candidate_q(user) | Q(instance__started_by=user)
                                                                      | Q(instance__parties=user.staff_id or 0))
    return get_object_or_404(qs.distinct().select_related("instance"), pk=task_id)


def instance_list(*, user, status: str = "", key: str = "") -> QuerySet[ProcessInstance]:
    """Instances the user may follow: company-wide roles all; others those of their branches, staff, tasks or own."""
    scope = access().scope_for(user)
    qs = ProcessInstance.objects.select_related("started_by", "definition")
    if not scope.everything:
        seen = Q(started_by=user) | Q(tasks__completed_by=user) | Q(tasks__in=WorkTask.objects.filter(_candidate_q(user)))
        if scope.branch_ids:
            seen |= Q(branches__in=scope.branch_ids)
        if scope.staff_ids:
            seen |= Q(parties__in=scope.staff_ids)
        qs = qs.filter(pk__in=ProcessInstance.objects.filter(seen).values("pk"))
    if status:
        qs = qs.filter(status=status)
    if key:
        qs = qs.filter(key=key)
    return qs


def instance_get(*, user, instance_id: int) -> ProcessInstance:
    return get_object_or_404(instance_list(user=user), pk=instance_id)


def pending_applications(*, user, business_key_prefix: str) -> list[ApplicationRef]:
    """The running applications the user may follow whose subject starts with the prefix (e.g. one customer's)."""
    qs = instance_list(user=user, status=ProcessInstance.Status.RUNNING).filter(business_key__startswith=business_key_prefix)
    return [ApplicationRef(i.pk, i.key, i.business_key, i.summary, i.status) for i in qs]


def process_instances_exist() -> bool:
    """Whether any approval process was ever started."""
    return ProcessInstance.objects.exists()


def notifications_unread(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).select_related("instance")


def definition_list() -> QuerySet[ProcessDefinition]:
    return ProcessDefinition.objects.select_related("loaded_by").order_by("key", "-version")


def definition_get(*, pk: int) -> ProcessDefinition:
    return get_object_or_404(ProcessDefinition, pk=pk)
