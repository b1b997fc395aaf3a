"""API of the workflow engine: the caller's tasks, approve and reject, and the instances they may follow."""
import datetime as dt

from ninja import Router, Schema

from brokercrm.core.api_errors import errors
from brokercrm.platform.workflow import selectors, services

router = Router(tags=["workflow"])


class WorkflowTaskOut(Schema):
    id: int
    instance_id: int
    process: str
    summary: str
    step: str
    name: str
    candidate_role: str
    candidate_branch: str | None
    escalated: bool
    applicant: str
    created_at: dt.datetime


class WorkflowStepOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    step: str
    comment: str


class InstanceOut(Schema):
    id: int
    process: str
    version: int
    business_key: str
    summary: str
    status: str
    applicant: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    data: dict
    results: dict


class InstanceDetailOut(InstanceOut):
    open_tasks: list[WorkflowTaskOut]
    history: list[WorkflowStepOut]


class DecisionIn(Schema):
    comment: str = ""


def _task_out(t) -> dict:
    return {"id": t.pk, "instance_id": t.instance_id, "process": t.instance.key, "summary": t.instance.summary, "step": t.step,
            "name": t.name, "candidate_role": t.candidate_role,
            "candidate_branch": t.candidate_branch.code if t.candidate_branch_id else None, "escalated": t.escalated,
            "applicant": t.instance.started_by.username, "created_at": t.created_at}


def _instance_out(i, detail: bool = False) -> dict:
    out = {"id": i.pk, "process": i.key, "version": i.definition.version, "business_key": i.business_key, "summary": i.summary,
           "status": i.status, "applicant": i.started_by.username, "started_at": i.started_at, "finished_at": i.finished_at,
           "data": i.payload, "results": i.results}
    if detail:
        tasks = i.tasks.filter(status="open").select_related("instance", "instance__started_by", "candidate_branch")
        out["open_tasks"] = [_task_out(t) for t in tasks]
        out["history"] = [{"at": s.at, "actor": s.actor_label, "action": s.action, "step": s.step, "comment": s.comment}
                          for s in i.steps.all()]
    return out


@router.get("/workflow/tasks", response={200: list[WorkflowTaskOut], **errors()}, summary="Open tasks the caller may decide (the approver inbox)")
def list_tasks(request):
    return [_task_out(t) for t in selectors.inbox_tasks(user=request.auth)]


@router.post("/workflow/tasks/{task_id}/approve", response={200: InstanceDetailOut, **errors(400, 403, 404)}, summary="Approve a task; the process runs on")
def approve_task(request, task_id: int, body: DecisionIn):
    task = selectors.task_for_action(user=request.auth, task_id=task_id)
    instance = services.task_decide(actor=request.auth, task=task, approved=True, comment=body.comment)
    return _instance_out(instance, detail=True)


@router.post("/workflow/tasks/{task_id}/reject", response={200: InstanceDetailOut, **errors(400, 403, 404)}, summary="Reject a task with a reason (comment required)")
def reject_task(request, task_id: int, body: DecisionIn):
    task = selectors.task_for_action(user=request.auth, task_id=task_id)
    instance = services.task_decide(actor=request.auth, task=task, approved=False, comment=body.comment)
    return _instance_out(instance, detail=True)


@router.get("/workflow/instances", response={200: list[InstanceOut], **errors(400)}, summary="Applications the caller may follow")
def list_instances(request, status: str = "", process: str = "", mine: bool = False):
    qs = selectors.instance_list(user=request.auth, status=status, key=process)
    if mine:
        qs = qs.filter(started_by=request.auth)
    return [_instance_out(i) for i in qs[:500]]


@router.get("/workflow/instances/{instance_id}", response={200: InstanceDetailOut, **errors(400, 404)}, summary="One application with its open tasks and history")
def get_instance(request, instance_id: int):
    return _instance_out(selectors.instance_get(user=request.auth, instance_id=instance_id), detail=True)
