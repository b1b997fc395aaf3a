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


class ScoreAppeal(TimeStampedModel):
    """申诉: a staff member asks for a score to be adjusted; decided through the `score_appeal` process, audited."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ADJUSTED = "adjusted", _("Adjusted")
        REJECTED = "rejected", _("Rejected")

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="appeals")
    requested_total = models.DecimalField(_("requested score"), max_digits=12, decimal_places=2)
    previous_total = models.DecimalField(_("score before"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_comment = models.TextField(blank=True)


class LevelRule(models.Model):
    """职级评定规则: a formula of the shared language over one month (score, indicators, next.<indicator> = the next
    level's monthly targets) that, true for `months` consecutive months at the current level, proposes a change."""

    class Kind(models.TextChoices):
        DEMOTE = "demote", _("Demote one level")
        PROMOTE = "promote", _("Promote one level")

    category = models.ForeignKey("org.StaffCategory", on_delete=models.CASCADE, related_name="+", verbose_name=_("staff category"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    formula = models.TextField(_("formula"))
    months = models.PositiveSmallIntegerField(_("consecutive months"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "kind"], name="level_rule_unique")]


class ProbationRule(models.Model):
    """试用期考核: targets (indicator → minimum, summed over the probation) checked at the end of a category's probation."""

    category = models.OneToOneField("org.StaffCategory", on_delete=models.CASCADE, related_name="+", verbose_name=_("staff category"))
    months = models.PositiveSmallIntegerField(_("probation months"))
    targets = models.JSONField(_("targets"), default=dict)


class LevelChange(TimeStampedModel):
    """A proposed or decided change of a staff member's level (or a probation result), effective from a month's first day."""

    class Kind(models.TextChoices):
        DEMOTION = "demotion", _("Demotion")
        PROMOTION = "promotion", _("Promotion")
        PROBATION_PASSED = "probation_passed", _("Probation passed")
        PROBATION_FAILED = "probation_failed", _("Probation failed")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("org.StaffCategory", on_delete=models.PROTECT, related_name="+")
    from_level = models.ForeignKey("org.StaffLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("org.StaffLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reviewed_month = models.CharField(_("reviewed month"), max_length=7)
    effective_from = models.DateField(_("effective from"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["staff__staff_no", "effective_from", "id"]
        constraints = [models.UniqueConstraint(fields=["staff", "reviewed_month", "kind"], name="level_change_once_per_review")]


class Target(TimeStampedModel):
    """指标分解: one indicator's target for a period at one level (company, branch, team or staff member), split from its
    parent; a split waits for the level above's approval (the `target_split` process) before it is in force."""

    class Scope(models.TextChoices):
        COMPANY = "company", _("Company")
        BRANCH = "branch", _("Branch")
        TEAM = "team", _("Team")
        STAFF = "staff", _("Staff member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Method(models.TextChoices):
        MANUAL = "manual", _("By hand")
        EVEN = "even", _("Evenly")
        LAST_YEAR = "last_year", _("In proportion to last year")
        IMPORT = "import", _("Imported")

    period = models.CharField(_("period"), max_length=10)
    indicator = models.CharField(_("indicator"), max_length=40)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    key = models.CharField(_("key"), max_length=50)
    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    method = models.CharField(_("split"), max_length=10, choices=Method.choices, default=Method.MANUAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["period", "indicator", "scope", "key"]
        constraints = [models.UniqueConstraint(fields=["period", "indicator", "scope", "key"], name="target_unique")]
