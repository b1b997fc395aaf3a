"""Customer segmentation (客户细分): configuration (tiers, behaviour groups, settings, pins) and monthly membership."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext_lazy as _

from brokercrm.core.models import TimeStampedModel
from brokercrm.core.money import to_money


def cents_to_money(cents: int | None) -> Decimal:
    return to_money(Decimal(cents or 0) / 100)


def _localized(obj) -> str:
    return obj.name_en if (get_language() or "").startswith("en") and obj.name_en else obj.name


class Tier(TimeStampedModel):
    """价值分层: a value tier reached by a month's average daily assets (日均资产) of at least the threshold."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    min_avg_daily_assets = models.DecimalField(_("minimum average daily assets"), max_digits=18, decimal_places=2, unique=True)

    class Meta:
        ordering = ["-min_avg_daily_assets"]
        verbose_name = _("value tier")
        verbose_name_plural = _("value tiers")

    def __str__(self) -> str:
        return _localized(self)


class BehaviourGroup(TimeStampedModel):
    """行为分群: customers of a month for whom the rule (a formula over indicators and profile) is true."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    rule = models.TextField(_("rule"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("behaviour group")
        verbose_name_plural = _("behaviour groups")

    def __str__(self) -> str:
        return _localized(self)


class SegmentSettings(TimeStampedModel):
    """The one row of segmentation settings (hysteresis length, RFM window, clustering)."""

    downgrade_months = models.PositiveSmallIntegerField(_("months below a tier before a downgrade"), default=3)
    rfm_window_months = models.PositiveSmallIntegerField(_("RFM window (months)"), default=12)
    cluster_count = models.PositiveSmallIntegerField(_("number of clusters"), default=5)
    cluster_seed = models.PositiveIntegerField(_("clustering seed"), default=42)

    class Meta:
        verbose_name = _("segmentation settings")
        verbose_name_plural = _("segmentation settings")

    def __str__(self) -> str:
        return str(_("Segmentation settings"))


class TierPin(TimeStampedModel):
    """A tier fixed by hand (手工指定) for a customer from a month on, with the reason."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="tier_pins", verbose_name=_("customer"))
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="pins", verbose_name=_("tier"))
    from_period = models.CharField(_("from month"), max_length=7)
    until_period = models.CharField(_("until month (inclusive)"), max_length=7, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["customer__customer_no", "from_period"]
        verbose_name = _("tier pin")
        verbose_name_plural = _("tier pins")

    def __str__(self) -> str:
        return f"{self.customer.customer_no} {self.tier.code} {self.from_period}…{self.until_period}"


class Membership(models.Model):
    """A customer's segments in one month (history kept): tier after hysteresis, groups, RFM scores, cluster."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="segment_history", verbose_name=_("customer"))
    period = models.CharField(_("month"), max_length=7)
    tier = models.CharField(_("tier"), max_length=32)
    qualified_tier = models.CharField(_("tier by this month's assets"), max_length=32)
    previous_tier = models.CharField(_("previous month's tier"), max_length=32, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    # ";code;code;" so that one group is found with a plain substring test on every database.
    groups = models.CharField(_("groups"), max_length=400, blank=True)
    rfm_r = models.PositiveSmallIntegerField("R", default=0)
    rfm_f = models.PositiveSmallIntegerField("F", default=0)
    rfm_m = models.PositiveSmallIntegerField("M", default=0)
    cluster = models.PositiveSmallIntegerField(_("cluster"), default=0)
    # Money in integer cents: sums over a million rows stay exact on SQLite too (its decimals are binary).
    avg_daily_assets_cents = models.BigIntegerField(_("average daily assets (cents)"))
    end_assets_cents = models.BigIntegerField(_("month-end assets (cents)"))
    net_commission_cents = models.BigIntegerField(_("net commission (cents)"))

    class Meta:
        ordering = ["-period"]
        constraints = [models.UniqueConstraint(fields=["customer", "period"], name="segment_membership_once_a_month")]
        indexes = [models.Index(fields=["period", "tier"]), models.Index(fields=["period", "cluster"])]
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period} {self.tier}"

    @property
    def group_codes(self) -> list[str]:
        return [g for g in self.groups.split(";") if g]

    @property
    def avg_daily_assets(self) -> Decimal:
        return cents_to_money(self.avg_daily_assets_cents)

    @property
    def end_assets(self) -> Decimal:
        return cents_to_money(self.end_assets_cents)

    @property
    def net_commission(self) -> Decimal:
        return cents_to_money(self.net_commission_cents)


class ClusterProfile(models.Model):
    """One cluster of a month: size, contribution and its centroid described in words."""

    period = models.CharField(_("month"), max_length=7)
    cluster = models.PositiveSmallIntegerField(_("cluster"))
    size = models.PositiveIntegerField(_("customers"))
    avg_daily_assets_cents = models.BigIntegerField(_("average daily assets (cents)"))
    net_commission_cents = models.BigIntegerField(_("net commission (cents)"))
    centroid = models.JSONField(_("centroid"), default=dict)
    traits = models.JSONField(_("traits"), default=list)

    class Meta:
        ordering = ["period", "cluster"]
        constraints = [models.UniqueConstraint(fields=["period", "cluster"], name="cluster_profile_once_a_month")]


class BuiltPeriod(models.Model):
    """A month whose memberships the segments job has written (rerun and catch-up bookkeeping)."""

    period = models.CharField(_("month"), max_length=7, unique=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    built_at = models.DateTimeField(_("built at"), auto_now=True)

    class Meta:
        ordering = ["period"]
