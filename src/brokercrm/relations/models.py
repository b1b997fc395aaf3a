"""Broker relationships (经纪关系): who developed a customer (pay) and who serves them (access, duty)."""
from functools import lru_cache

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class RelationType(models.TextChoices):
    DEVELOPMENT = "development", _("Development relation")
    SERVICE = "service", _("Service relation")


class Relation(TimeStampedModel):
    """A relation in force on [start_date, end_date); end_date NULL = open. History is never deleted."""

    class Origin(models.TextChoices):
        WORKFLOW = "workflow", _("Approval workflow")
        IMPORT = "import", _("Import")
        BULK_TRANSFER = "bulk_transfer", _("Bulk transfer")

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="relations", verbose_name=_("customer"))
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="relations", verbose_name=_("staff member"))
    relation_type = models.CharField(_("relation type"), max_length=16, choices=RelationType.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)

    class Meta:
        ordering = ["customer__customer_no", "relation_type", "start_date", "staff__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "relation_type", "staff", "start_date"], name="relation_key_unique"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")), name="relation_end_after_start"),
        ]
        indexes = [models.Index(fields=["staff", "relation_type", "start_date"]), models.Index(fields=["customer", "relation_type", "start_date"])]
        verbose_name = _("broker relation")
        verbose_name_plural = _("broker relations")

    def __str__(self) -> str:
        return relation_label(self.customer.customer_no, self.relation_type, self.staff.staff_no, self.start_date, self.end_date)

    @property
    def status(self) -> str:
        return "open" if self.end_date is None else "ended"


@lru_cache(maxsize=64)
def _type_label(relation_type: str, language: str | None) -> str:
    """The type's label in the active language (computed while `language` is active): translating it anew for each of
    an import's tens of thousands of relations cost seconds."""
    return str(RelationType(relation_type).label)


def relation_label(customer_no: str, relation_type: str, staff_no: str, start_date, end_date) -> str:
    """A relation as the audit log and pages name it: customer, type, staff member and [start, end)."""
    end = end_date.isoformat() if end_date else "…"
    return f"{customer_no} {_type_label(relation_type, get_language())} {staff_no} [{start_date}, {end})"
