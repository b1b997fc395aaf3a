"""What this app adds to the customers app: the segments panel of the 360° page and list filters by segment."""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brokercrm.analytics.models import BehaviourGroup, BuiltPeriod, Membership, Tier
from brokercrm.customers.facade import register_list_filter, register_panel


def _latest_period() -> str | None:
    return BuiltPeriod.objects.order_by("-period").values_list("period", flat=True).first()


def _in_segment(**filters):
    def customer_q(value: str) -> Q:
        period = _latest_period()
        return Q(pk__in=Membership.objects.filter(period=period, **{k: v.format(value) for k, v in filters.items()})
                 .values("customer_id"))
    return customer_q


def _tier_choices() -> list[tuple[str, str]]:
    return [(t.code, str(t)) for t in Tier.objects.all()]


def _group_choices() -> list[tuple[str, str]]:
    return [(g.code, str(g)) for g in BehaviourGroup.objects.filter(active=True)]


def register() -> None:
    register_panel("segments", _("Segments"), template="analytics/_segment_history.html", context=lambda request, customer: {},
                   order=40)
    register_list_filter("tier", _("Tier (latest month)"), choices=_tier_choices, customer_q=_in_segment(tier="{}"))
    register_list_filter("segment_group", _("Behaviour group (latest month)"), choices=_group_choices,
                         customer_q=_in_segment(groups__contains=";{};"))
