"""Writes of the workflow engine: load definitions, start instances, decide tasks, withdraw. Each audited.

The engine runs SpiffWorkflow: an instance's state is restored from JSON, advanced, and stored again in
the same transaction as every effect of its handlers, so a refused effect leaves the instance where it was.
"""
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from brokercrm.core.audit import audit_record, diff
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import require_role
from brokercrm.platform.access import access
from brokercrm.platform.contracts import ApplicationRef
from brokercrm.platform.workflow import registry
from brokercrm.platform.workflow.bpmn import HandlerTask, ParsedDefinition, new_workflow, parse_definition, restore_workflow, serializer
from brokercrm.platform.workflow.expressions import ExpressionError
from brokercrm.platform.workflow.models import Notification, ProcessDefinition, ProcessInstance, ProcessStep, WorkTask

# Parsed specs by checksum: a stored definition never changes, and ids may be reused by rolled-back transactions.
_parsed: dict[str, ParsedDefinition] = {}


def definition_parse(*, data: bytes, file_name: str) -> ParsedDefinition:
    """Check a BPMN file against the schema, the engine's rules and the registered roles, handlers and fields."""
    return parse_definition(data, file_name=file_name, roles=set(access().roles), handlers=registry.handler_names(),
                            variables_for=registry.fields_for)


@transaction.atomic
def definition_load(*, actor, data: bytes, file_name: str) -> tuple[ProcessDefinition, bool]:
    """Store a checked definition as the next active version of its key; (definition, False) when unchanged."""
    require_role(actor, access().admins)
    parsed = definition_parse(data=data, file_name=file_name)
    current = ProcessDefinition.objects.select_for_update().filter(key=parsed.key, is_active=True).first()
    if current is not None and current.checksum == parsed.checksum:
        return current, False
    version = (ProcessDefinition.objects.filter(key=parsed.key).aggregate(v=Max("version"))["v"] or 0) + 1
    ProcessDefinition.objects.filter(key=parsed.key, is_active=True).update(is_active=False)
    definition = ProcessDefinition.objects.create(
        key=parsed.key, version=version, name=parsed.name, bpmn=data.decode("utf-8"), checksum=parsed.checksum,
        file_name=Path(file_name).name, is_active=True, loaded_by=actor if getattr(actor, "pk", None) else None)
    _parsed[parsed.checksum] = parsed
    audit_record(actor=actor, action="create", instance=definition,
                 changes=diff({}, {"key": parsed.key, "version": version, "checksum": parsed.checksum, "file_name": definition.file_name}))
    return definition, True


def definition_active(key: str) -> ProcessDefinition:
    """The active definition of a key; the first use of a shipped process loads its file."""
    definition = ProcessDefinition.objects.filter(key=key, is_active=True).first()
    if definition is not None:
        return definition
    kind = registry.kind(key)
    if kind is None:
        raise DomainError(f"no process definition '{key}' is loaded", field="process")
    definition, _ = definition_load(actor=None, data=kind.shipped.read_bytes(), file_name=str(kind.shipped))
    return definition


def _parsed_definition(definition: ProcessDefinition) -> ParsedDefinition:
    if definition.checksum not in _parsed:
        _parsed[definition.checksum] = definition_parse(data=definition.bpmn.encode("utf-8"), file_name=definition.file_name)
    return _parsed[definition.checksum]


def _step(instance, *, actor, action: str, step: str = "", comment: str = "") -> ProcessStep:
    return ProcessStep.objects.create(instance=instance, actor=actor if getattr(actor, "pk", None) else None,
                                      actor_label=getattr(actor, "username", "") or "system", action=action, step=step, comment=comment)


def _party_q(instance: ProcessInstance) -> Q:
    """Users who may not approve: the applicant and the users of the staff the change concerns."""
    return Q(id=instance.started_by_id) | Q(staff__in=instance.parties.all())


def candidate_users(*, role: str, branch_id: int | None):
    """Active users of the role, in the branch (their own, or their staff member's) unless company-wide."""
    users = get_user_model().objects.filter(is_active=True, role=role)
    if branch_id is not None:
        users = users.filter(Q(branch_id=branch_id) | Q(branch__isnull=True, staff__branch_id=branch_id))
    return users


def _create_task(instance: ProcessInstance, spiff_task) -> WorkTask:
    spec = spiff_task.task_spec
    role, branch_id = spec.candidate_role, None
    if spec.branch_of:
        staff_no = spiff_task.data.get(spec.branch_of)
        # The staff concerned by the instance are the organisation's rows (parties); the task names their branch.
        staff = instance.parties.model.objects.filter(staff_no=staff_no).values("branch_id").first()
        if staff is None:
            raise DomainError(f"{spec.branch_of}: unknown staff no. '{staff_no}'", field=spec.branch_of)
        branch_id = staff["branch_id"]
    eligible = list(candidate_users(role=role, branch_id=branch_id).exclude(_party_q(instance))[:2])
    escalated = False
    # Nobody may approve their own application: with no other candidate the task goes up the escalation (head office, then admin).
    for fallback in access().escalation:
        if eligible or role == fallback:
            continue
        role, branch_id, escalated = fallback, None, True
        eligible = list(candidate_users(role=role, branch_id=None).exclude(_party_q(instance))[:2])
    task = WorkTask.objects.create(
        instance=instance, spiff_id=str(spiff_task.id), step=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane or "", candidate_role=role, candidate_branch_id=branch_id, escalated=escalated,
        assignee=eligible[0] if len(eligible) == 1 else None)
    if escalated:
        _step(instance, actor=None, action=ProcessStep.Action.ESCALATED, step=task.name,
              comment=f"no {spec.candidate_role} other than the people concerned; escalated to {role}")
    _step(instance, actor=None, action=ProcessStep.Action.TASK_CREATED, step=task.name, comment=task.lane)
    return task


@contextmanager
def _engine_errors(instance: ProcessInstance):
    """Spiff's errors as the domain error of the instance: a definition that passed the checks can still fail on data
    (e.g. a condition on a variable not set yet), and one stored before a check existed fails on its expressions."""
    try:
        yield
    except (SpiffWorkflowException, ExpressionError) as exc:
        raise DomainError(f"process {instance.key} v{instance.definition.version} cannot go on: {exc}", field="process") from exc


def _advance(instance: ProcessInstance, workflow: BpmnWorkflow, actor) -> None:
    """Run the engine to the next user tasks (handlers included), open their tasks and store the state."""
    def will_complete(spiff_task) -> None:
        spec = spiff_task.task_spec
        if not isinstance(spec, HandlerTask):
            return
        handler = registry.handler(spec.handler)
        if handler is None:
            raise DomainError(f"handler '{spec.handler}' is not registered", field="process")
        context = registry.HandlerContext(instance=instance, actor=actor, data=spiff_task.data, step_name=spec.bpmn_name or spec.bpmn_id)
        handler.run(context)
        instance.results.update(context.results)
        _step(instance, actor=actor, action=ProcessStep.Action.HANDLER, step=context.step_name)

    with _engine_errors(instance):
        workflow.do_engine_steps(will_complete_task=will_complete)
    known = set(instance.tasks.values_list("spiff_id", flat=True))
    for spiff_task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if str(spiff_task.id) not in known:
            _create_task(instance, spiff_task)
    if workflow.is_completed():
        rejected = instance.tasks.filter(status=WorkTask.Status.REJECTED).exists()
        instance.status = ProcessInstance.Status.REJECTED if rejected else ProcessInstance.Status.COMPLETED
        instance.finished_at = timezone.now()
    instance.state = serializer().serialize_json(workflow)
    instance.save()


@transaction.atomic
def process_start(*, actor, key: str, data: dict, business_key: str, summary: str, parties: list,
                  branches: list, reason: str = "") -> ProcessInstance:
    """Apply: start an instance of the active definition of `key` with its data; one pending instance per subject.

    parties and branches are the staff and branches the change concerns (ids, or the organisation's rows).
    """
    definition = definition_active(key)
    pending = ProcessInstance.objects.select_for_update().filter(business_key=business_key, status=ProcessInstance.Status.RUNNING).first()
    if pending is not None:
        raise DomainError(f"application #{pending.pk} ({pending.summary}) is still pending; wait for its decision or withdraw it",
                          field="business_key")
    workflow = new_workflow(_parsed_definition(definition).spec)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    instance = ProcessInstance.objects.create(definition=definition, key=key, business_key=business_key, summary=summary[:300],
                                              payload=data, state="{}", started_by=actor)
    instance.parties.set(parties)
    instance.branches.set(branches)
    _step(instance, actor=actor, action=ProcessStep.Action.APPLIED, step=definition.name, comment=reason)
    _advance(instance, workflow, actor)
    audit_record(actor=actor, action="create", instance=instance,
                 changes=diff({}, {"key": key, "version": definition.version, "business_key": business_key, "payload": data}))
    return instance


def application_ref(instance: ProcessInstance) -> ApplicationRef:
    return ApplicationRef(instance.pk, instance.key, instance.business_key, instance.summary, instance.status)


def process_apply(*, actor, key: str, data: dict, business_key: str, summary: str, parties: list, branches: list,
                  reason: str = "") -> ApplicationRef:
    """process_start for other apps: the application as a frozen reference."""
    return application_ref(process_start(actor=actor, key=key, data=data, business_key=business_key, summary=summary,
                                         parties=parties, branches=branches, reason=reason))


def is_party(*, user, instance: ProcessInstance) -> bool:
    return user.pk == instance.started_by_id or (user.staff_id is not None and instance.parties.filter(pk=user.staff_id).exists())


def is_candidate(*, user, task: WorkTask) -> bool:
    if user.role != task.candidate_role or not user.is_active:
        return False
    if task.candidate_branch_id is None:
        return True
    return (user.branch_id or (user.staff.branch_id if user.staff_id else None)) == task.candidate_branch_id


@transaction.atomic
def task_decide(*, actor, task: WorkTask, approved: bool, comment: str = "") -> ProcessInstance:
    """Approve or reject (a reason is required); the engine then runs on to the next step or the end."""
    instance = ProcessInstance.objects.select_for_update().get(pk=task.instance_id)
    task = WorkTask.objects.get(pk=task.pk)
    comment = (comment or "").strip()
    if task.status != WorkTask.Status.OPEN or instance.status != ProcessInstance.Status.RUNNING:
        raise DomainError("this task has already been decided", field="task")
    if is_party(user=actor, instance=instance):
        raise DomainError("self-approval is not allowed: you applied for this change or it concerns you", field="task")
    if not is_candidate(user=actor, task=task):
        raise DomainError("this task waits for another approver", field="task")
    if not approved and not comment:
        raise DomainError("a reason is required to reject", field="comment")
    with _engine_errors(instance):
        workflow = restore_workflow(instance.state)
        spiff_task = workflow.get_task_from_id(uuid.UUID(task.spiff_id))
        spiff_task.data.update({"approved": approved, "comment": comment})
        spiff_task.run()
    task.status = WorkTask.Status.APPROVED if approved else WorkTask.Status.REJECTED
    task.completed_at, task.completed_by, task.comment = timezone.now(), actor, comment
    task.save()
    _step(instance, actor=actor, action=ProcessStep.Action.APPROVED if approved else ProcessStep.Action.REJECTED,
          step=task.name, comment=comment)
    _advance(instance, workflow, actor)
    audit_record(actor=actor, action="approve" if approved else "reject", instance=instance,
                 changes={"task": [task.name, task.status], "status": ["running", instance.status]}, note=comment)
    return instance


@transaction.atomic
def process_withdraw(*, actor, instance: ProcessInstance, comment: str = "") -> ProcessInstance:
    """The applicant takes back a pending application; its open tasks are cancelled."""
    instance = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
    if instance.started_by_id != actor.pk:
        raise DomainError("only the applicant can withdraw an application", field="instance")
    if instance.status != ProcessInstance.Status.RUNNING:
        raise DomainError("this application is no longer pending", field="instance")
    with _engine_errors(instance):
        workflow = restore_workflow(instance.state)
    workflow.cancel()
    instance.tasks.filter(status=WorkTask.Status.OPEN).update(status=WorkTask.Status.CANCELLED, completed_at=timezone.now())
    instance.status, instance.finished_at = ProcessInstance.Status.WITHDRAWN, timezone.now()
    instance.state = serializer().serialize_json(workflow)
    instance.save()
    _step(instance, actor=actor, action=ProcessStep.Action.WITHDRAWN, comment=comment)
    audit_record(actor=actor, action="update", instance=instance, changes={"status": ["running", "withdrawn"]}, note=comment)
    return instance


def notify(*, instance: ProcessInstance, kind: str) -> None:
    """Tell the applicant and the users of the staff concerned about the outcome (in their inbox)."""
    users = get_user_model().objects.filter(Q(pk=instance.started_by_id) | Q(staff__in=instance.parties.all()), is_active=True).distinct()
    Notification.objects.bulk_create([Notification(recipient=u, instance=instance, kind=kind) for u in users])


def notification_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def handle_notify_completed(context: registry.HandlerContext) -> None:
    notify(instance=context.instance, kind=Notification.Kind.COMPLETED)


def handle_notify_rejected(context: registry.HandlerContext) -> None:
    notify(instance=context.instance, kind=Notification.Kind.REJECTED)


def pending_task_id(*, key: str, business_key: str) -> int | None:
    """The open task of the running instance of `key` for one subject, None when nothing waits."""
    return WorkTask.objects.filter(instance__key=key, instance__business_key=business_key, status=WorkTask.Status.OPEN,
                                   instance__status=ProcessInstance.Status.RUNNING).order_by("id").values_list("id", flat=True).first()


def may_decide(*, user, task_id: int) -> bool:
    """Whether the user is a candidate for the task and not a party to its instance (no self-approval)."""
    task = WorkTask.objects.select_related("instance").get(pk=task_id)
    return is_candidate(user=user, task=task) and not is_party(user=user, instance=task.instance)


def task_decide_by_id(*, actor, task_id: int, approved: bool, comment: str = "") -> None:
    task_decide(actor=actor, task=WorkTask.objects.get(pk=task_id), approved=approved, comment=comment)


def processes_withdraw(*, key: str, business_key_prefix: str, keep_instance_id: int, comment: str) -> int:
    """Withdraw, each as its applicant, the running instances of `key` for the subjects under a prefix but one."""
    others = list(ProcessInstance.objects.filter(key=key, status=ProcessInstance.Status.RUNNING,
                                                 business_key__startswith=business_key_prefix).exclude(pk=keep_instance_id))
    for other in others:
        process_withdraw(actor=other.started_by, instance=other, comment=comment)
    return len(others)


@transaction.atomic
def task_escalate(*, task_id: int, role: str, branch_id: int | None, comment: str) -> bool:
    """Hand an open task to another role (in a branch, or company-wide) and mark it escalated, e.g. when overdue;
    False when the task is no longer open or already escalated."""
    task = WorkTask.objects.select_for_update().filter(pk=task_id, status=WorkTask.Status.OPEN, escalated=False).first()
    if task is None:
        return False
    before = {"candidate_role": task.candidate_role, "candidate_branch": task.candidate_branch_id}
    task.candidate_role, task.candidate_branch_id, task.escalated, task.assignee = role, branch_id, True, None
    task.save(update_fields=["candidate_role", "candidate_branch", "escalated", "assignee"])
    _step(task.instance, actor=None, action=ProcessStep.Action.ESCALATED, step=task.name, comment=comment)
    audit_record(actor=None, action="update", instance=task, changes=diff(before, {"candidate_role": role, "candidate_branch": branch_id}),
                 note=comment)
    return True
