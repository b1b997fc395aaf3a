"""Evaluation (营销团队考核): schemes per staff category and level, runs, scores with their breakdown."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class PeriodKind(models.TextChoices):
    DAY = "day", _("Daily")
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class Scheme(TimeStampedModel):
    """考核方案: the indicators, targets and weights a category (and optionally a level) is evaluated on."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey("org.StaffCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("staff category"))
    level = models.ForeignKey("org.StaffLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("evaluation scheme")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SchemeItem(models.Model):
    class Mode(models.TextChoices):
        LINEAR = "linear", _("Linear to target")
        CAPPED = "capped", _("Capped")
        FLOOR = "floor", _("Floor")
        FORMULA = "formula", _("Formula")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    indicator = models.CharField(_("indicator"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=9, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2, null=True, blank=True)
    mode = models.CharField(_("scoring"), max_length=8, choices=Mode.choices, default=Mode.LINEAR)
    cap = models.DecimalField(_("cap (ratio)"), max_digits=9, decimal_places=4, null=True, blank=True)
    floor = models.DecimalField(_("floor (ratio)"), max_digits=9, decimal_places=4, null=True, blank=True)
    formula = models.TextField(_("formula"), blank=True)

    class Meta:
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "indicator"], name="scheme_indicator_unique")]


class EvaluationRun(TimeStampedModel):
    """One scheme evaluated for one period: every staff member of its category (and level) gets a score."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs", verbose_name=_("scheme"))
    period = models.CharField(_("period"), max_length=10)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.CharField(_("indicator snapshot"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-period", "scheme__code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "period"], name="evaluation_run_unique")]

    def __str__(self) -> str:
        return f"{self.scheme.code} {self.period}"


class Score(models.Model):
    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="scores")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("score"), max_digits=12, decimal_places=2)
    rank_team = models.PositiveIntegerField(null=True, blank=True)
    rank_branch = models.PositiveIntegerField()
    rank_company = models.PositiveIntegerField()

    class Meta:
        ordering = ["rank_company", "staff__staff_no"]
        constraints = [models.UniqueConstraint(fields=["run", "staff"], name="score_unique")]


class ScoreLine(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(default=0)
    indicator = models.CharField(max_length=40)
    actual = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    target = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(max_digits=9, decimal_places=2)
    ratio = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    points = models.DecimalField(max_digits=12, decimal_places=2)
    mode = models.CharField(max_length=8)
    formula = models.TextField(blank=True)
    inputs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["score", "order"]
