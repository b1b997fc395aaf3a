"""factory_boy factories and the default configuration for segmentation tests."""
import factory

from brokercrm.analytics.models import BehaviourGroup, Membership, SegmentSettings, Tier
from brokercrm.analytics.seed import seed_segment_defaults
from brokercrm.customers.tests.factories import CustomerFactory


def default_config() -> None:
    """The shipped tiers, groups and settings (transactional tests flush what the migration seeded)."""
    seed_segment_defaults(Tier, BehaviourGroup, SegmentSettings)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    customer = factory.SubFactory(CustomerFactory)
    period = "2026-03"
    tier = "regular"
    qualified_tier = factory.LazyAttribute(lambda o: o.tier)
    avg_daily_assets_cents = 0
    end_assets_cents = 0
    net_commission_cents = 0
