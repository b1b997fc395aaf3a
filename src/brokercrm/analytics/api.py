"""API of customer segments: the mix of a month and one customer's history, limited to the caller's scope."""
from decimal import Decimal

from ninja import Router, Schema

from brokercrm.analytics import selectors
from brokercrm.core.api_errors import errors
from brokercrm.core.permissions import require_role
from brokercrm.customers.facade import customer_get
from brokercrm.org.facade import SEGMENT_READERS

router = Router(tags=["analytics"])


class SegmentRowOut(Schema):
    code: str
    label: str
    customers: int
    assets: Decimal
    net_commission: Decimal
    customer_share: Decimal
    assets_share: Decimal
    commission_share: Decimal
    note: str


class OverviewOut(Schema):
    period: str
    customers: int
    assets: Decimal
    net_commission: Decimal
    tiers: list[SegmentRowOut]
    groups: list[SegmentRowOut]
    clusters: list[SegmentRowOut]


class SegmentHistoryOut(Schema):
    period: str
    tier: str
    qualified_tier: str
    pinned: bool
    groups: list[str]
    rfm_r: int
    rfm_f: int
    rfm_m: int
    cluster: int


def _reader(request):
    require_role(request.auth, SEGMENT_READERS)
    return request.auth


@router.get("/segments/overview", response={200: OverviewOut, **errors(400, 403)})
def segment_overview(request, period: str = "", branch: str = ""):
    """Customers, assets and net commission per tier, behaviour group and cluster of a month (latest by default)."""
    user = _reader(request)
    month = selectors.period_or_latest(period or None)
    if month is None:
        return {"period": "", "customers": 0, "assets": Decimal("0.00"), "net_commission": Decimal("0.00"),
                "tiers": [], "groups": [], "clusters": []}
    return selectors.segment_overview(user=user, period=month, branch_code=branch)


@router.get("/segments/customers/{customer_no}", response={200: list[SegmentHistoryOut], **errors(403, 404)})
def customer_segments(request, customer_no: str):
    """One customer's segments month by month, newest first (tier and group codes)."""
    customer = customer_get(user=_reader(request), customer_no=customer_no)
    return [{"period": m.period, "tier": m.tier, "qualified_tier": m.qualified_tier, "pinned": m.pinned, "groups": m.group_codes,
             "rfm_r": m.rfm_r, "rfm_f": m.rfm_f, "rfm_m": m.rfm_m, "cluster": m.cluster}
            for m in selectors.segment_history(customer_id=customer.id)]
