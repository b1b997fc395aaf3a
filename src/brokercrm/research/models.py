"""The research library (研究咨询库): reports with their file and extracted text, and their pushes to customers (资讯推送)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class ResearchReport(TimeStampedModel):
    """One report. The file lives in the database (a database backup is a library backup); `search_text` is the
    title and body cut into words by jieba and joined by spaces, which the full-text index reads (FTS5 / tsvector)."""

    class Source(models.TextChoices):
        INSTITUTE = "institute", _("In-house research institute")
        PURCHASED = "purchased", _("Purchased research")
        ADVISORY = "advisory", _("Advisory team")

    class ReportType(models.TextChoices):
        MACRO = "macro", _("Macro")
        STRATEGY = "strategy", _("Strategy")
        INDUSTRY = "industry", _("Industry")
        COMPANY = "company", _("Company")
        FUND = "fund", _("Fund")
        MORNING_NOTE = "morning_note", _("Morning note")

    class Rating(models.TextChoices):
        BUY = "buy", _("Buy")
        OUTPERFORM = "outperform", _("Outperform")
        NEUTRAL = "neutral", _("Neutral")
        UNDERPERFORM = "underperform", _("Underperform")
        SELL = "sell", _("Sell")

    class Audience(models.TextChoices):
        INTERNAL = "internal", _("Internal only")
        CLIENTS = "clients", _("For clients")

    title = models.CharField(_("title"), max_length=300)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.INSTITUTE)
    analyst = models.CharField(_("analyst"), max_length=100, blank=True)
    report_date = models.DateField(_("report date"), db_index=True)
    report_type = models.CharField(_("report type"), max_length=16, choices=ReportType.choices, default=ReportType.INDUSTRY)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    target_price = models.DecimalField(_("target price"), max_digits=14, decimal_places=2, null=True, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    securities = models.JSONField(_("securities covered"), default=list, blank=True)  # ["SH600519", …]
    tags = models.JSONField(_("tags"), default=list, blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.INTERNAL)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    body_text = models.TextField(_("extracted text"), blank=True)
    search_text = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-report_date", "-id"]
        verbose_name = _("research report")

    def __str__(self) -> str:
        return self.title


class ResearchPush(TimeStampedModel):
    """One distribution of a clients' report: matched by holdings and/or a segment, sent through one channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail with the report attached")
        SMS = "sms", _("SMS with a link")

    report = models.ForeignKey(ResearchReport, on_delete=models.CASCADE, related_name="pushes")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    segment = models.CharField(_("segment"), max_length=32, blank=True)
    by_holdings = models.BooleanField(_("holders of the covered securities or industries"), default=True)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]


class ResearchDelivery(models.Model):
    """A report sent to one customer: the tokenised link that tracks the open, and who served the customer (the service
    work it counts for in evaluation)."""

    push = models.ForeignKey(ResearchPush, on_delete=models.CASCADE, related_name="deliveries")
    report = models.ForeignKey(ResearchReport, on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="research_deliveries")
    staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="research_deliveries")
    matched_on = models.CharField(_("matched on"), max_length=300)
    token = models.CharField(max_length=64, unique=True)
    outbox_message_id = models.BigIntegerField(null=True)
    sent_on = models.DateField(_("sent on"), db_index=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("opens"), default=0)

    class Meta:
        ordering = ["customer_id"]
        constraints = [models.UniqueConstraint(fields=["report", "customer"], name="research_delivery_once_per_customer")]
