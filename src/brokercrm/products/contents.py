"""What products add to service strategies (servicing/contents.py): the content kind `product_recommendation` is checked
by the suitability engine for the whole batch of customers a preview or run serves, and renders each customer's message.

A strategy names its product as MARKET.CODE; a customer the product does not suit is blocked as `unsuitable_content`
with the engine's reason codes (risk_above_tolerance, questionnaire_expired, …) and is never sent anything.
"""
from django.utils.translation import gettext as _

from brokercrm.products.selectors import customer_ids_unsuitable, product_by_key
from brokercrm.servicing.facade import ContentRequest, RenderedContent, SuitabilityRequest

PRODUCT_RECOMMENDATION = "product_recommendation"


def strategy_suitability(request: SuitabilityRequest) -> dict[int, tuple[str, ...]]:
    """The customers of the batch the strategy's product does not suit on the run's day, with their reasons."""
    if request.kind != PRODUCT_RECOMMENDATION:
        return {}
    return customer_ids_unsuitable(product_key=request.product, customer_ids=request.customer_ids, on=request.day)


def product_recommendation(request: ContentRequest) -> RenderedContent:
    """The strategy's text ({name}, {customer_no}, {product}) or, without one, the recommendation's standard text."""
    product = product_by_key(request.product)
    c = request.customer
    label = f"{product.name}（{product.market}.{product.security_code}）"
    if request.body:
        text = request.body.replace("{name}", c.name).replace("{customer_no}", c.customer_no).replace("{product}", label)
    else:
        text = _("Dear %(name)s, we recommend %(product)s (risk level %(risk)s) to you. Please read the prospectus and the "
                 "risk disclosure before buying.") % {"name": c.name, "product": label, "risk": product.risk_level}
    return RenderedContent(subject=request.subject or _("Product recommendation: %(p)s") % {"p": product.name}, text=text)
