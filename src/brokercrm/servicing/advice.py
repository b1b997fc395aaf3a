"""Portfolio advice (投资组合建议) and operation advice (操作建议), approved by compliance before anything is sent.

An adviser submits an advice; it starts the BPMN process `advice_approval` (servicing/processes), whose compliance
task approves or rejects it. Strategies with the content `portfolio_advice` or `operation_advice` send the latest
approved advice of their kind and nothing while none is approved:
- portfolio advice: the model portfolio of the customer's risk level (C1–C5, weights by asset class, editable)
  against the customer's allocation at the month's end, with the suggested moves (amount to add or reduce per class);
- operation advice: the note on one security, sent only to the customers holding it at the month's end.
"""
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.money import quantize, to_money
from brokercrm.core.permissions import role_required
from brokercrm.datacenter.facade import period_wealth, warehouse_read
from brokercrm.org.facade import SERVICE_CONFIGURERS
from brokercrm.platform import facade as workflow
from brokercrm.platform.facade import HandlerContext
from brokercrm.servicing.contents import ContentRequest, RenderedContent, register_content
from brokercrm.servicing.models import Advice, ModelPortfolio
from brokercrm.servicing.services.strategies import month_end

PROCESS = "advice_approval"
SHIPPED = Path(__file__).parent / "processes" / "advice_approval.bpmn"
ASSET_CLASSES = ("cash", "bond", "fund", "stock")
DEFAULT_MODEL_PORTFOLIOS = {
    "C1": {"cash": 40, "bond": 50, "fund": 10, "stock": 0},
    "C2": {"cash": 25, "bond": 45, "fund": 20, "stock": 10},
    "C3": {"cash": 15, "bond": 30, "fund": 25, "stock": 30},
    "C4": {"cash": 10, "bond": 15, "fund": 25, "stock": 50},
    "C5": {"cash": 5, "bond": 5, "fund": 20, "stock": 70},
}
ZERO = Decimal("0.00")


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def model_portfolio_set(*, actor, risk_level: str, weights: dict[str, int]) -> ModelPortfolio:
    """Change a risk level's model portfolio: whole percents per asset class (cash, bond, fund, stock) adding up to 100."""
    if risk_level not in DEFAULT_MODEL_PORTFOLIOS:
        raise DomainError(f"unknown risk level '{risk_level}' (C1–C5)", field="risk_level")
    unknown = sorted(set(weights) - set(ASSET_CLASSES))
    if unknown:
        raise DomainError(f"unknown asset class(es): {', '.join(unknown)} (known: {', '.join(ASSET_CLASSES)})", field="weights")
    if any(int(v) < 0 for v in weights.values()) or sum(int(v) for v in weights.values()) != 100:
        raise DomainError("the weights must be whole percents ≥ 0 adding up to 100", field="weights")
    portfolio, _ = ModelPortfolio.objects.get_or_create(risk_level=risk_level)
    before = snapshot(portfolio)
    portfolio.weights = {k: int(weights.get(k, 0)) for k in ASSET_CLASSES}
    portfolio.save()
    audit_record(actor=actor, action="update", instance=portfolio, changes=diff(before, snapshot(portfolio)))
    return portfolio


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def advice_submit(*, actor, kind: str, title: str, note: str, security: str = "") -> Advice:
    """Write an advice and send it to compliance (the workflow inbox); nothing is sent before it is approved."""
    if getattr(actor, "pk", None) is None:
        raise DomainError("an advice is submitted by a user, who applies for its approval", field="actor")
    if kind not in Advice.Kind.values:
        raise DomainError(f"unknown advice kind '{kind}'", field="kind")
    if not title.strip() or not note.strip():
        raise DomainError("an advice needs a title and its text", field="note")
    if kind == Advice.Kind.OPERATION and "." not in security:
        raise DomainError("operation advice names its security as MARKET.CODE, e.g. SH.600036", field="security")
    advice = Advice.objects.create(kind=kind, title=title.strip()[:200], note=note.strip(), security=security.strip().upper(),
                                   created_by=actor)
    audit_record(actor=actor, action="create", instance=advice, changes=diff({}, snapshot(advice)))
    workflow.process_apply(actor=actor, key=PROCESS, data={"advice_id": advice.pk, "kind": kind, "title": advice.title},
                           business_key=f"advice:{advice.pk}", summary=f"{advice.get_kind_display()}: {advice.title}",
                           parties=[], branches=[])
    return advice


def _decide(context: HandlerContext, status: str) -> None:
    advice = Advice.objects.select_for_update().get(pk=context.data["advice_id"])
    before = snapshot(advice)
    advice.status, advice.decided_by, advice.decided_at = status, context.actor, timezone.now()
    advice.decision_note = context.data.get("comment", "")
    advice.save()
    audit_record(actor=context.actor, action="approve" if status == Advice.Status.APPROVED else "reject", instance=advice,
                 changes=diff(before, snapshot(advice)))


def approved_advice(kind: str) -> Advice | None:
    return Advice.objects.filter(kind=kind, status=Advice.Status.APPROVED).order_by("-decided_at", "-id").first()


def _facts(request: ContentRequest):
    first = month_end(request.period).replace(day=1)
    with warehouse_read() as con:
        return period_wealth(con, customer_no=request.customer.customer_no, first=first, last=month_end(request.period))


def _html(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line)


def portfolio_advice_render(request: ContentRequest) -> RenderedContent | None:
    """The model portfolio of the customer's risk level against their month-end allocation, with the moves."""
    advice = approved_advice(Advice.Kind.PORTFOLIO)
    if advice is None:
        return None
    try:
        facts = _facts(request)
    except DomainError:
        return None
    model = ModelPortfolio.objects.filter(risk_level=facts.risk_level).first() if facts else None
    if facts is None or not facts.days or model is None:
        return None
    held = {"cash": facts.cash}
    for _, _, kind, _, _, value in facts.holdings:
        key = kind if kind in ASSET_CLASSES else "stock"
        held[key] = held.get(key, ZERO) + value
    total = sum(held.values(), ZERO)
    lines = []
    for asset in ASSET_CLASSES:
        now = held.get(asset, ZERO)
        target = total * Decimal(model.weights.get(asset, 0)) / 100
        share = quantize(now * 100 / total, 1) if total else Decimal("0.0")
        move = to_money(target - now)
        lines.append(f"{CLASS_NAMES[asset]}：当前 {share}%，建议 {model.weights.get(asset, 0)}%，"
                     f"{'增配' if move > 0 else '减配'} {abs(move):,} 元" if move else f"{CLASS_NAMES[asset]}：当前 {share}%，与建议一致")
    text = (f"尊敬的{request.customer.name}：\n\n{advice.title}\n{advice.note}\n\n"
            f"按您的风险等级 {facts.risk_level} 的模型组合，您的资产配置建议如下：\n" + "\n".join(lines)
            + "\n\n本建议仅供参考，投资有风险。")
    return RenderedContent(subject=request.subject or advice.title, text=text, html=_html(text))


def operation_advice_render(request: ContentRequest) -> RenderedContent | None:
    """The approved note on a security, only for the customers holding it at the month's end."""
    advice = approved_advice(Advice.Kind.OPERATION)
    if advice is None:
        return None
    try:
        facts = _facts(request)
    except DomainError:
        return None
    if facts is None or not any(h[0] == advice.security for h in facts.holdings):
        return None
    text = f"尊敬的{request.customer.name}：\n\n{advice.title}（{advice.security}）\n{advice.note}\n\n本建议仅供参考，投资有风险。"
    return RenderedContent(subject=request.subject or advice.title, text=text, html=_html(text))


CLASS_NAMES = {"cash": "现金", "bond": "债券", "fund": "基金", "stock": "股票"}


def register() -> None:
    workflow.register_process(PROCESS, label=_("Approve advice before sending"), shipped=SHIPPED, fields={"advice_id", "kind", "title"})
    workflow.register_handler("servicing.advice_approved", lambda c: _decide(c, Advice.Status.APPROVED),
                              label=_("Advice approved for sending"))
    workflow.register_handler("servicing.advice_rejected", lambda c: _decide(c, Advice.Status.REJECTED), label=_("Advice rejected"))
    register_content("portfolio_advice", portfolio_advice_render)
    register_content("operation_advice", operation_advice_render)
