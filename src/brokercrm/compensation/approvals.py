"""Payroll approval through the workflow engine: one process per branch of a submitted payroll.

Submitting starts `payroll_branch` for each branch with payslips (the submitter is the applicant, so the
engine refuses self-approval); the branch manager decides in the workflow inbox or on the run page; the
engine then calls the handlers below, which record the branch's approval and move the run to approved when
the last branch is in, or send the whole run back to draft (the other branches' pending processes are withdrawn).
"""
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokercrm.compensation.models import BranchApproval, PayrollRun, PayrollStep
from brokercrm.core.audit import audit_record
from brokercrm.core.errors import DomainError
from brokercrm.platform import facade as workflow
from brokercrm.platform.facade import HandlerContext

PROCESS = "payroll_branch"
SHIPPED = Path(__file__).parent / "processes" / "payroll_branch.bpmn"


def business_key(period: str, branch_code: str) -> str:
    return f"payroll:{period}:{branch_code}"


def _run(context: HandlerContext) -> PayrollRun:
    run = PayrollRun.objects.select_for_update().filter(period=context.data["period"]).first()
    if run is None or run.status != PayrollRun.Status.REVIEW:
        raise DomainError(f"payroll {context.data['period']} is no longer in review", field="status")
    return run


def _label(actor) -> str:
    return getattr(actor, "username", "") or "system"


def handle_approved(context: HandlerContext) -> None:
    run = _run(context)
    approval = run.approvals.select_related("branch").get(branch__code=context.data["branch_code"])
    approval.approved_by, approval.approved_at, approval.comment = context.actor, timezone.now(), context.data.get("comment", "")
    approval.save()
    PayrollStep.objects.create(run=run, action="approve_branch", branch=approval.branch, actor=context.actor,
                               actor_label=_label(context.actor), comment=approval.comment)
    audit_record(actor=context.actor, action="approve", instance=run, changes={f"branch {approval.branch.code}": [None, "approved"]},
                 note=approval.comment)
    if not run.approvals.filter(approved_at__isnull=True).exists():
        run.status = PayrollRun.Status.APPROVED
        run.save(update_fields=["status", "updated_at"])
        PayrollStep.objects.create(run=run, action="approve", actor=context.actor, actor_label=_label(context.actor),
                                   comment="all branches approved")
        audit_record(actor=context.actor, action="approve", instance=run, changes={"status": ["review", "approved"]})


def handle_sent_back(context: HandlerContext) -> None:
    run = _run(context)
    comment = context.data.get("comment", "")
    workflow.processes_withdraw(key=PROCESS, business_key_prefix=f"payroll:{run.period}:", keep_instance_id=context.instance.pk,
                                comment=f"payroll sent back by {_label(context.actor)}: {comment}")
    run.approvals.all().delete()
    run.status, run.submitted_by = PayrollRun.Status.DRAFT, None
    run.save(update_fields=["status", "submitted_by", "updated_at"])
    PayrollStep.objects.create(run=run, action="reject", branch=None, actor=context.actor, actor_label=_label(context.actor),
                               comment=f"{context.data['branch_code']}: {comment}")
    audit_record(actor=context.actor, action="reject", instance=run, changes={"status": ["review", "draft"]}, note=comment)


def register() -> None:
    workflow.register_process(PROCESS, label=_("Approve a branch's payroll"), shipped=SHIPPED,
                              fields={"period", "branch_code", "branch_name", "branch_staff_no", "payslips", "net_total"})
    workflow.register_handler("compensation.payroll_branch_approved", handle_approved, label=_("Branch payroll approved"))
    workflow.register_handler("compensation.payroll_sent_back", handle_sent_back, label=_("Payroll sent back to draft"))


__all__ = ["BranchApproval", "business_key", "register"]
