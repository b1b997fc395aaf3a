"""Appeals (申诉) against a score: filed by the staff member (or a manager of theirs), decided by the branch manager of
their branch through the `score_appeal` process; an adjustment replaces the score's total, ranks the run again and is
audited with the appeal's reason and the decision's comment."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from brokercrm.core.audit import audit_record
from brokercrm.core.errors import DomainError
from brokercrm.core.money import to_money
from brokercrm.core.permissions import role_required
from brokercrm.evaluation.models import Score, ScoreAppeal
from brokercrm.evaluation.scoring import MAX_POINTS
from brokercrm.evaluation.services import rerank
from brokercrm.org.facade import EVALUATION_RUNNERS, scope_for
from brokercrm.platform import facade as workflow
from brokercrm.platform.facade import HandlerContext

PROCESS = "score_appeal"
SHIPPED = Path(__file__).parent / "processes" / "score_appeal.bpmn"


@role_required(EVALUATION_RUNNERS)
@transaction.atomic
def score_appeal_file(*, actor, score: Score, requested_total: str | Decimal, reason: str) -> ScoreAppeal:
    """Appeal a score in the actor's scope, asking for `requested_total` with a reason; one pending appeal per score."""
    if not scope_for(actor).everything and score.staff_id not in scope_for(actor).staff_ids:
        raise PermissionDenied("this score is not in your scope")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("a reason is required", field="reason")
    try:
        requested = to_money(Decimal(str(requested_total)))
    except InvalidOperation:
        raise DomainError(f"'{requested_total}' is not a number", field="requested_total") from None
    if not 0 <= requested < MAX_POINTS:
        raise DomainError(f"the score must be between 0 and {MAX_POINTS:,}", field="requested_total")
    if score.appeals.filter(status=ScoreAppeal.Status.PENDING).exists():
        raise DomainError("this score already has a pending appeal", field="score")
    appeal = ScoreAppeal.objects.create(score=score, requested_total=requested, previous_total=score.total, reason=reason,
                                        applied_by=actor)
    audit_record(actor=actor, action="create", instance=appeal, changes={"requested_total": [str(score.total), str(requested)]},
                 note=reason)
    staff = score.staff
    data = {"appeal_id": appeal.pk, "staff_no": staff.staff_no, "run": str(score.run), "score": str(score.total),
            "requested_total": str(requested), "reason": reason}
    workflow.process_apply(actor=actor, key=PROCESS, data=data, business_key=f"appeal:{appeal.pk}",
                           summary=f"{staff.staff_no} {staff.name} · {score.run}: {score.total} → {requested}",
                           parties=[staff.pk], branches=[score.branch], reason=reason)
    return appeal


def _appeal(context: HandlerContext) -> ScoreAppeal:
    appeal = ScoreAppeal.objects.select_for_update().select_related("score", "score__run").get(pk=context.data["appeal_id"])
    if appeal.status != ScoreAppeal.Status.PENDING:
        raise DomainError(f"appeal {appeal.pk} is already {appeal.status}", field="status")
    appeal.decided_by = context.actor if getattr(context.actor, "pk", None) else None
    appeal.decision_comment = context.data.get("comment", "")
    return appeal


def handle_adjusted(context: HandlerContext) -> None:
    appeal = _appeal(context)
    score = appeal.score
    before = score.total
    score.total = appeal.requested_total
    score.save(update_fields=["total"])
    rerank(score.run)
    appeal.status = ScoreAppeal.Status.ADJUSTED
    appeal.save()
    audit_record(actor=context.actor, action="update", instance=score, changes={"total": [str(before), str(score.total)]},
                 note=f"appeal {appeal.pk}: {appeal.reason} · decision: {appeal.decision_comment}")


def handle_rejected(context: HandlerContext) -> None:
    appeal = _appeal(context)
    appeal.status = ScoreAppeal.Status.REJECTED
    appeal.save()
    audit_record(actor=context.actor, action="reject", instance=appeal, changes={"status": ["pending", "rejected"]},
                 note=appeal.decision_comment)


def register() -> None:
    workflow.register_process(PROCESS, label=_("Decide a score appeal"), shipped=SHIPPED,
                              fields={"appeal_id", "staff_no", "run", "score", "requested_total", "reason"})
    workflow.register_handler("evaluation.score_appeal_adjusted", handle_adjusted, label=_("Score adjusted"))
    workflow.register_handler("evaluation.score_appeal_rejected", handle_rejected, label=_("Appeal rejected"))
