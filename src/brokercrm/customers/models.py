"""The company-wide customer base (客户资料), fed from the data center after each load."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel
from brokercrm.org.models import Branch


class Customer(TimeStampedModel):
    """A fund account (资金账号) and its holder's profile, current version."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        FROZEN = "frozen", _("Frozen")
        CLOSED = "closed", _("Closed")

    customer_no = models.CharField(_("customer no."), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    customer_type = models.CharField(_("customer type"), max_length=16)
    id_type = models.CharField(_("ID type"), max_length=20)
    id_no = models.CharField(_("ID number"), max_length=40, db_index=True)
    id_no_last4 = models.CharField(max_length=4, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    mobile_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="customers", verbose_name=_("branch"))
    open_date = models.DateField(_("open date"), db_index=True)
    close_date = models.DateField(_("close date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    risk_level = models.CharField(_("risk level"), max_length=2, blank=True, db_index=True)
    risk_assessed_on = models.DateField(_("risk assessed on"), null=True, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["customer_no"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.customer_no} {self.name}"


class CustomerChange(models.Model):
    """History of the fields that matter for scope and service: branch, status, risk level (每次变更一行)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="changes")
    business_date = models.DateField(_("business date"))
    field = models.CharField(_("field"), max_length=32)
    old_value = models.CharField(_("old value"), max_length=100, blank=True)
    new_value = models.CharField(_("new value"), max_length=100, blank=True)

    class Meta:
        ordering = ["-business_date", "-id"]
        indexes = [models.Index(fields=["customer", "business_date"])]
