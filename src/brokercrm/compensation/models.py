"""Compensation (薪酬): grades with post salaries, pay items, tier tables, constants, structures and payroll runs."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class PayGrade(models.Model):
    """人员类别、级别 and the post salary (岗位工资) they carry; level empty = the whole category."""

    category = models.ForeignKey("org.StaffCategory", on_delete=models.CASCADE, related_name="+", verbose_name=_("staff category"))
    level = models.ForeignKey("org.StaffLevel", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("level"))
    post_salary = models.DecimalField(_("post salary"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["category__order", "level__order"]
        constraints = [models.UniqueConstraint(fields=["category", "level"], name="pay_grade_unique")]


class PayItem(models.Model):
    """薪酬项目: a code usable in formulas and exports, and whether it is paid, deducted or only a memo."""

    class Kind(models.TextChoices):
        EARNING = "earning", _("Earning")
        DEDUCTION = "deduction", _("Deduction")
        MEMO = "memo", _("Memo (not paid)")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TierTable(models.Model):
    """A table for tier(value, "name"): the rate of the highest threshold reached."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    rows = models.JSONField(_("thresholds and rates"), default=list)  # [["0", "0.10"], ["20000", "0.15"]]

    class Meta:
        ordering = ["name"]


class PayConstant(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]


class PayStructure(TimeStampedModel):
    """薪酬结构: the ordered item formulas paid to a category (and optionally one level)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey("org.StaffCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("staff category"))
    level = models.ForeignKey("org.StaffLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PayRule(models.Model):
    structure = models.ForeignKey(PayStructure, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(default=0)
    item = models.ForeignKey(PayItem, on_delete=models.PROTECT, related_name="+")
    formula = models.TextField(_("formula"))

    class Meta:
        ordering = ["structure", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["structure", "item"], name="pay_rule_item_unique")]


class PayInput(models.Model):
    """A value entered for one staff member and month: compliance coefficient, product sales, other deductions."""

    period = models.CharField(_("period"), max_length=7)
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("input"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "staff", "name"], name="pay_input_unique")]


class PayrollRun(TimeStampedModel):
    """A month's payroll: draft → review → approved → locked; recalculated only while a draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        APPROVED = "approved", _("Approved")
        LOCKED = "locked", _("Locked")

    period = models.CharField(_("period"), max_length=7, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    calculated_at = models.DateTimeField(_("calculated at"), null=True, blank=True)
    calculated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.CharField(_("indicator snapshot"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class PayrollStep(models.Model):
    """One step of the approval path: who did what, when, with which comment."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=20)
    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class BranchApproval(models.Model):
    """In review each branch's payslips are approved by its branch manager (or head office)."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="approvals")
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["branch__code"]
        constraints = [models.UniqueConstraint(fields=["run", "branch"], name="branch_approval_unique")]


class Payslip(models.Model):
    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="payslips")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    category_code = models.CharField(max_length=32)
    level_code = models.CharField(max_length=32, blank=True)
    structure_code = models.CharField(max_length=40)
    gross = models.DecimalField(_("gross"), max_digits=14, decimal_places=2)
    deductions = models.DecimalField(_("deductions"), max_digits=14, decimal_places=2)
    net = models.DecimalField(_("net pay"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["branch__code", "staff__staff_no"]
        constraints = [models.UniqueConstraint(fields=["run", "staff"], name="payslip_unique")]


class PayslipLine(models.Model):
    """One line: its amount, the formula that gave it, every input's value and where each came from."""

    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField()
    item_code = models.CharField(max_length=40)
    item_name = models.CharField(max_length=60)
    kind = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=18, decimal_places=6)
    formula = models.TextField()
    inputs = models.JSONField(default=dict)
    lineage = models.JSONField(default=dict)
    empty = models.BooleanField(default=False)

    class Meta:
        ordering = ["payslip", "order"]
