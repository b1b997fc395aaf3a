"""营销活动效果: a campaign's participants' trading and inflows over the campaign's period, from the warehouse.

A campaign (the shipped object type `campaign`, or any type with the fields `starts_on`, `ends_on` and a customer field
`participants`) names its period and its participants; the effect is the customer-grain warehouse measures of those
participants within the viewer's scope for [starts_on, ends_on], per participant and in total — the same numbers as the
participants' rows of the customer indicator export over that period.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from brokercrm.core.errors import DomainError
from brokercrm.objects.facade import RecordSnapshot, record_snapshot, record_snapshots
from brokercrm.reports.selectors import report_query

CAMPAIGN_TYPE = "campaign"
EFFECT_MEASURES = ("trade_amount", "trade_count", "commission", "net_commission", "net_inflow")


@dataclass(frozen=True)
class CampaignEffect:
    number: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    participants: int
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    totals: tuple


def campaigns_listed(*, user) -> list[RecordSnapshot]:
    return record_snapshots(user=user, type_code=CAMPAIGN_TYPE)


def campaign_effect(*, user, number: str, type_code: str = CAMPAIGN_TYPE) -> CampaignEffect:
    """The participants' measures by customer for the campaign's period (404 for a campaign outside the user's scope)."""
    campaign = record_snapshot(user=user, type_code=type_code, number=number)
    values = campaign.values
    if not values.get("starts_on") or not values.get("ends_on"):
        raise DomainError("the campaign has no period (starts_on, ends_on)", field="starts_on")
    starts_on, ends_on = dt.date.fromisoformat(values["starts_on"]), dt.date.fromisoformat(values["ends_on"])
    participants = sorted(values.get("participants") or [])
    rows: tuple[tuple, ...] = ()
    if participants:
        where = "customer_no in (" + ", ".join(f'"{no}"' for no in participants) + ")"
        rows = report_query(user=user, measures=list(EFFECT_MEASURES), by=["customer_no"], date_from=starts_on, date_to=ends_on,
                            where=where).rows
    totals = tuple(sum((r[i] or 0 for r in rows), Decimal("0.00") if i != 2 else 0) for i in range(1, len(EFFECT_MEASURES) + 1))
    return CampaignEffect(campaign.number, str(values.get("name") or ""), starts_on, ends_on, len(participants),
                          ("customer_no", *EFFECT_MEASURES), rows, totals)
