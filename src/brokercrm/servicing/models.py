"""Differentiated service (差异化服务): alert rules and alerts, service tasks and visits, strategies, outbox, calls."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class RuleCode(models.TextChoices):
    """Abnormal-activity rules (异动提醒规则); thresholds live in AlertRule.parameters over the defaults in rules.py."""

    LARGE_WITHDRAWAL = "large_withdrawal", _("Large bank withdrawal")
    ASSETS_DROP = "assets_drop", _("Assets down sharply")
    NO_TRADE = "no_trade", _("No trade for a long time")
    LARGE_DEPOSIT = "large_deposit", _("New large deposit")
    CONCENTRATION = "concentration", _("Concentrated in one security")
    ACCOUNT_CLOSING = "account_closing", _("Account closing")
    QUESTIONNAIRE_EXPIRED = "questionnaire_expired", _("Questionnaire expired while holding riskier products")
    SUITABILITY_BREACH = "suitability_breach", _("Suitability breach: bought a product above tolerance or without a valid questionnaire")


class AlertRule(TimeStampedModel):
    """The configured state of one rule; a rule without a row runs with its defaults."""

    code = models.CharField(_("rule"), max_length=32, choices=RuleCode.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("alert rule")

    def __str__(self) -> str:
        return self.get_code_display()


def default_exception_rules() -> list[str]:
    """Withdrawing heavily or losing a third of the assets calls for a visit unless configured otherwise."""
    return [RuleCode.LARGE_WITHDRAWAL.value, RuleCode.ASSETS_DROP.value]


class VisitPolicy(TimeStampedModel):
    """Which visits the visits step generates beyond the regulatory ones (one row, pk=1): key-customer visits for a
    segment once per period, and exception visits for the alerts of chosen rules."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    key_segment = models.CharField(_("key customers (segment code)"), max_length=64, default="tier:diamond", blank=True,
                                   help_text=_("Empty: no key-customer visits"))
    key_frequency = models.CharField(_("key-customer visit every"), max_length=16, choices=Frequency.choices,
                                     default=Frequency.QUARTERLY)
    exception_rules = models.JSONField(_("alert rules that call for a visit"), default=default_exception_rules, blank=True)
    exception_due_days = models.PositiveSmallIntegerField(_("exception visit due after (trading days)"), default=5)
    # Customer care (客户关怀), generated with the visits after each load.
    care_birthdays = models.BooleanField(_("birthday greetings"), default=True)
    care_anniversaries = models.BooleanField(_("account anniversary greetings"), default=True)
    care_holidays = models.BooleanField(_("holiday greetings"), default=True)
    care_drop_percent = models.PositiveSmallIntegerField(_("market-drop care: assets down by % or more"), default=15)
    care_drop_days = models.PositiveSmallIntegerField(_("market-drop care: over trading days"), default=5)
    care_drop_min_assets = models.DecimalField(_("market-drop care: from assets of"), max_digits=18, decimal_places=2,
                                               default=Decimal("50000.00"))

    class Meta:
        verbose_name = _("visit and care policy")


class Alert(TimeStampedModel):
    """One abnormal activity of a customer on a business date, routed to the responsible staff member."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", _("Customer contacted")
        ADVICE_GIVEN = "advice_given", _("Advice given")
        NO_ACTION = "no_action", _("No action needed")
        UNREACHABLE = "unreachable", _("Customer unreachable")
        ESCALATED = "escalated", _("Escalated")

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("customer"))
    rule = models.CharField(_("rule"), max_length=32, choices=RuleCode.choices)
    biz_date = models.DateField(_("business date"))
    staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts",
                              verbose_name=_("responsible staff"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-biz_date", "customer__customer_no", "rule"]
        constraints = [models.UniqueConstraint(fields=["customer", "rule", "biz_date"], name="alert_unique_per_day")]
        indexes = [models.Index(fields=["biz_date", "rule"]), models.Index(fields=["staff", "status"])]
        verbose_name = _("alert")

    def __str__(self) -> str:
        return f"{self.customer.customer_no} {self.rule} {self.biz_date}"


class Strategy(TimeStampedModel):
    """服务策略: for a segment, which content goes by which channel how often, owned by whom."""

    class Content(models.TextChoices):
        ACCOUNT_REPORT = "account_report", _("Account report")
        WEALTH_REPORT = "wealth_report", _("Wealth report")
        PORTFOLIO_ADVICE = "portfolio_advice", _("Portfolio advice")
        RESEARCH_PUSH = "research_push", _("News / research push")
        OPERATION_ADVICE = "operation_advice", _("Operation advice")
        CUSTOMER_CARE = "customer_care", _("Customer care")
        PRODUCT_RECOMMENDATION = "product_recommendation", _("Product recommendation")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        CALL = "call", _("Call centre")
        VISIT = "visit", _("Visit by staff")

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    class Owner(models.TextChoices):
        SERVICE_STAFF = "service_staff", _("The customer's service staff")
        CALL_CENTRE = "call_centre", _("Call-centre queue")

    name = models.CharField(_("name"), max_length=100)
    segment = models.CharField(_("segment"), max_length=64, help_text=_("Segment code, e.g. all, new_accounts or an analytics segment"))
    content = models.CharField(_("content"), max_length=32, choices=Content.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    owner = models.CharField(_("owner"), max_length=16, choices=Owner.choices, default=Owner.SERVICE_STAFF)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message text"), blank=True, help_text=_("Placeholders: {name}, {customer_no}"))
    # The product a product recommendation names (MARKET.CODE): the products app checks each customer's suitability.
    product = models.CharField(_("product"), max_length=24, blank=True, help_text=_("Market and code, e.g. OF.000001"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service strategy")
        verbose_name_plural = _("service strategies")

    def __str__(self) -> str:
        return self.name


class ServiceTask(TimeStampedModel):
    """服务任务 / 回访: one piece of service work on a customer, assigned to a staff member, with a due date and an outcome."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert follow-up")
        VISIT_NEW = "visit_new", _("Visit: new account")
        VISIT_EXISTING = "visit_existing", _("Visit: existing customer")
        VISIT_KEY = "visit_key", _("Visit: key customer")
        VISIT_DEPARTED = "visit_departed", _("Visit: customer of departed staff")
        VISIT_EXCEPTION = "visit_exception", _("Visit: exception")
        STRATEGY = "strategy", _("Strategy service")
        CARE = "care", _("Customer care")
        MANUAL = "manual", _("Created by hand")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed as planned")
        SATISFIED = "satisfied", _("Customer satisfied")
        COMPLAINT = "complaint", _("Customer raised a complaint")
        UNREACHABLE = "unreachable", _("Customer unreachable")
        DECLINED = "declined", _("Customer declined")

    class Check(models.TextChoices):
        NOT_CHECKED = "not_checked", _("Not checked")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    VISIT_KINDS = (Kind.VISIT_NEW, Kind.VISIT_EXISTING, Kind.VISIT_KEY, Kind.VISIT_DEPARTED, Kind.VISIT_EXCEPTION)

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="service_tasks", verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="service_tasks",
                              verbose_name=_("assigned to"))
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    source_key = models.CharField(max_length=120, unique=True, help_text="what generated the task; generating again is a no-op")
    alert = models.OneToOneField(Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="task")
    strategy = models.ForeignKey(Strategy, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # The business date the work was done on: what evaluation counts it by (the wall clock may be in another period).
    done_on = models.DateField(_("done on (business date)"), null=True, blank=True, db_index=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # In the call centre's shared queue (呼叫中心): any service agent may take it; staff is who took it.
    call_centre = models.BooleanField(_("call-centre queue"), default=False, db_index=True)
    check_status = models.CharField(_("spot-check"), max_length=16, choices=Check.choices, default=Check.NOT_CHECKED)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    check_note = models.TextField(_("spot-check note"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["staff", "status", "due_date"]), models.Index(fields=["customer", "kind"])]
        verbose_name = _("service task")

    def __str__(self) -> str:
        return f"{self.customer.customer_no} {self.title}"

    @property
    def is_visit(self) -> bool:
        return self.kind in self.VISIT_KINDS


class ChannelConfig(TimeStampedModel):
    """Connection and sending policy of one channel (operator configuration)."""

    class Code(models.TextChoices):
        EMAIL = "email", _("E-mail (SMTP)")
        SMS = "sms", _("SMS (SMPP)")

    code = models.CharField(_("channel"), max_length=8, choices=Code.choices, unique=True)
    host = models.CharField(_("host"), max_length=200, default="127.0.0.1")
    port = models.PositiveIntegerField(_("port"), default=25)
    username = models.CharField(_("user / system id"), max_length=100, blank=True)
    password = models.CharField(_("password"), max_length=100, blank=True)
    sender = models.CharField(_("sender"), max_length=200, default="service@brokercrm.local")
    rate_per_minute = models.PositiveIntegerField(_("messages per minute"), default=60)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("attempts before failing"), default=5)

    class Meta:
        verbose_name = _("channel")


class OptOut(models.Model):
    """A customer who does not want messages on a channel (退订)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="opt_outs")
    channel = models.CharField(_("channel"), max_length=8, choices=ChannelConfig.Code.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "channel"], name="opt_out_unique")]


class OutboxMessage(TimeStampedModel):
    """One message to send; the outbox is the only way anything leaves the platform."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed (opt-out)")
        UNKNOWN = "unknown", _("Unknown (interrupted while sending)")

    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    channel = models.CharField(_("channel"), max_length=8, choices=ChannelConfig.Code.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    dedupe_key = models.CharField(max_length=150, unique=True, help_text="queuing the same key again is a no-op")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True, db_index=True)
    delivery_status = models.CharField(_("delivery receipt"), max_length=16, blank=True)
    task = models.ForeignKey(ServiceTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.subject or self.body_text[:30]}"


class OutboxAttachment(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    content = models.BinaryField()


class CallRecord(TimeStampedModel):
    """A call-centre call (通话记录) with its outcome and duration."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        CALLBACK = "callback", _("Call back later")
        RESOLVED = "resolved", _("Request resolved")

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="calls", verbose_name=_("customer"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("agent"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    phone = models.CharField(_("number"), max_length=20)
    started_at = models.DateTimeField(_("started at"))
    duration_seconds = models.PositiveIntegerField(_("duration (s)"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    task = models.ForeignKey(ServiceTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("call record")


class ModelPortfolio(TimeStampedModel):
    """The advisory team's model portfolio (模型组合) for one risk level: target weights (percent) by asset class."""

    risk_level = models.CharField(_("risk level"), max_length=2, unique=True)
    weights = models.JSONField(_("weights (%) by asset class"), default=dict)

    class Meta:
        ordering = ["risk_level"]
        verbose_name = _("model portfolio")


class Advice(TimeStampedModel):
    """An advisory note (投资组合建议 / 操作建议) that compliance approves through a BPMN process before any is sent."""

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio_advice", _("Portfolio advice")
        OPERATION = "operation_advice", _("Operation advice")

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("Waiting for compliance")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("advice"))
    security = models.CharField(_("security (market.code)"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_REVIEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("compliance note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("advice")

    def __str__(self) -> str:
        return self.title
