"""Saved reports (a query of the semantic layer with its presentation), role dashboards, pins and subscriptions."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A saved question: measures × dimensions × filter over a period given when it runs; shipped ones are editable data."""

    class View(models.TextChoices):
        TABLE = "table", _("Table")
        PIVOT = "pivot", _("Pivot")
        BAR = "bar", _("Bar chart")
        LINE = "line", _("Line chart")
        STACKED = "stacked", _("Stacked bar chart")
        PIE = "pie", _("Pie chart")

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    measures = models.JSONField(_("measures"), default=list)
    dimensions = models.JSONField(_("dimensions"), default=list)
    where = models.CharField(_("filter"), max_length=2000, blank=True)
    period_kind = models.CharField(_("default period"), max_length=10, default="month")
    comparisons = models.JSONField(_("comparisons"), default=list, blank=True)  # "previous", "last_year"
    sort = models.CharField(_("sort by"), max_length=64, blank=True)
    descending = models.BooleanField(_("descending"), default=True)
    top_n = models.PositiveIntegerField(_("top N"), null=True, blank=True)
    view = models.CharField(_("view"), max_length=10, choices=View.choices, default=View.TABLE)
    shared_roles = models.JSONField(_("shared with roles"), default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="reports", verbose_name=_("owner"))
    shipped = models.BooleanField(_("shipped"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.name


class DashboardWidget(models.Model):
    """One saved report on a role's default dashboard (an admin edits them), in order."""

    role = models.CharField(_("role"), max_length=20)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="widgets", verbose_name=_("report"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["role", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["role", "report"], name="reports_widget_once_per_role")]


class Pin(models.Model):
    """A report a user pinned to their own home page, after their role's widgets."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_pins")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pins")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "report"], name="reports_pin_once")]


class Subscription(models.Model):
    """Scheduled delivery of a report by e-mail: each recipient gets their own scope's copy, once per due time."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("report"))
    cron = models.CharField(_("schedule (cron)"), max_length=100)
    roles = models.JSONField(_("recipient roles"), default=list, blank=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="report_subscriptions",
                                   verbose_name=_("recipient users"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.XLSX)
    active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["report__name", "id"]
        verbose_name = _("subscription")
