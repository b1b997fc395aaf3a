"""The products API (django-ninja), scoped by the caller like every page: the shelf, a customer's suitability, recommendations."""
from decimal import Decimal

from ninja import Query, Router, Schema, Status

from brokercrm.core.api_errors import errors
from brokercrm.core.paging import Paging
from brokercrm.customers.facade import customer_get
from brokercrm.products import selectors, services

router = Router(tags=["products"])


class ProductOut(Schema):
    market: str
    security_code: str
    name: str
    product_type: str
    issuer: str
    risk_level: str
    min_subscription: Decimal
    status: str


class ProductFitOut(Schema):
    market: str
    security_code: str
    name: str
    risk_level: str
    suitable: bool
    reasons: list[str]


class ProductFitsOut(Schema):
    results: list[ProductFitOut]


class RecommendationIn(Schema):
    customer_no: str
    market: str
    security_code: str
    channel: str


class RecommendationOut(Schema):
    id: int
    customer_no: str
    market: str
    security_code: str
    channel: str
    biz_date: str


@router.get("/products", response={200: list[ProductOut], **errors(400)})
def list_products(request, paging: Query[Paging], product_type: str = "", risk_level: str = "", status: str = "", q: str = ""):
    """The product shelf (every user sees it), filtered, a page at a time."""
    products = selectors.product_list(q=q, product_type=product_type, risk_level=risk_level,
                                      status=status)[paging.offset:paging.offset + paging.limit]
    return [{"market": p.market, "security_code": p.security_code, "name": p.name, "product_type": p.product_type, "issuer": p.issuer,
             "risk_level": p.risk_level, "min_subscription": p.min_subscription, "status": p.status} for p in products]


@router.get("/customers/{customer_no}/products", response={200: ProductFitsOut, **errors(404)})
def customer_products(request, customer_no: str):
    """Every product with whether it suits the customer today and, if not, the reason codes (404 outside the scope)."""
    customer = customer_get(user=request.auth, customer_no=customer_no)
    return {"results": [{"market": f.market, "security_code": f.security_code, "name": f.name, "risk_level": f.risk_level,
                         "suitable": f.suitable, "reasons": list(f.reasons)} for f in selectors.customer_product_fits(customer=customer)]}


@router.post("/recommendations", response={201: RecommendationOut, **errors(400, 403, 404, 422)})
def create_recommendation(request, payload: RecommendationIn):
    """Recommend a product to a customer in scope through a channel (sms, email); 422 with the reason codes when it
    does not suit (the attempt is audited, nothing is sent)."""
    try:
        rec = services.recommendation_create(actor=request.auth, customer_no=payload.customer_no, market=payload.market,
                                             security_code=payload.security_code, channel=payload.channel)
    except services.RecommendationRefused as exc:
        return Status(422, {"detail": exc.message, "reasons": list(exc.reasons)})
    return Status(201, {"id": rec.pk, "customer_no": payload.customer_no, "market": payload.market, "security_code": payload.security_code,
                        "channel": rec.channel, "biz_date": rec.biz_date.isoformat()})
