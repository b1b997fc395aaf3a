"""The product shelf (金融产品库) and the recommendations made from it (产品推荐)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel

RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")


class Product(TimeStampedModel):
    """A security with a risk level from the deliveries, enriched by head office (type, fees, shelf status, documents)."""

    class Type(models.TextChoices):
        STOCK = "stock", _("Stock")
        FUND = "fund", _("Fund")
        BOND = "bond", _("Bond")
        REPO = "repo", _("Repo")
        WEALTH = "wealth", _("Wealth product")

    class Shelf(models.TextChoices):
        ON_SALE = "on_sale", _("On sale")
        OFF_SALE = "off_sale", _("Off sale")

    class Risk(models.TextChoices):
        R1 = "R1", "R1"
        R2 = "R2", "R2"
        R3 = "R3", "R3"
        R4 = "R4", "R4"
        R5 = "R5", "R5"

    market = models.CharField(_("market"), max_length=4)
    security_code = models.CharField(_("security code"), max_length=16)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    product_type = models.CharField(_("product type"), max_length=10, choices=Type.choices, db_index=True)
    issuer = models.CharField(_("issuer / manager"), max_length=100, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=2, choices=Risk.choices, db_index=True)
    # The risk level as the deliveries last said it: a new delivered level overrides the shelf's, an unchanged one does not
    # undo head office's correction.
    delivered_risk_level = models.CharField(max_length=2, blank=True)
    min_subscription = models.DecimalField(_("minimum subscription"), max_digits=18, decimal_places=2, default=0)
    term_days = models.PositiveIntegerField(_("term (days)"), null=True, blank=True)
    fees = models.CharField(_("fees"), max_length=200, blank=True)
    sale_start = models.DateField(_("sale window from"), null=True, blank=True)
    sale_end = models.DateField(_("sale window to"), null=True, blank=True)
    status = models.CharField(_("shelf status"), max_length=10, choices=Shelf.choices, default=Shelf.ON_SALE, db_index=True)
    target_segments = models.CharField(_("target segments"), max_length=200, blank=True)
    prospectus = models.FileField(_("prospectus"), upload_to="products/", blank=True)
    risk_disclosure = models.FileField(_("risk disclosure"), upload_to="products/", blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["market", "security_code"]
        constraints = [models.UniqueConstraint(fields=["market", "security_code"], name="product_market_code_unique")]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.market}.{self.security_code} {self.name}"


class Recommendation(models.Model):
    """One product recommended to one customer (产品推荐): who, when, through which channel, and whether it converted."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("product"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="product_recommendations",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("recommended by"))
    recommended_at = models.DateTimeField(_("recommended at"), auto_now_add=True)
    biz_date = models.DateField(_("business date"))
    campaign = models.CharField(_("campaign"), max_length=64, blank=True, db_index=True)
    converted_on = models.DateField(_("bought on"), null=True, blank=True)
    converted_amount = models.DecimalField(_("bought amount"), max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-recommended_at", "-id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.product} → {self.customer_id}"
