"""Platform objects shared by the domain apps: custom field definitions (自定义字段)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class CustomFieldDefinition(TimeStampedModel):
    """One field an admin added to a business object; values live in the object's `custom_fields` JSON under `key`.

    The key, entity and type never change once created, so a stored value always keeps its meaning;
    archiving hides a field without touching any value.
    """

    class Entity(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PROSPECT = "prospect", _("Prospect")
        STAFF = "staff", _("Staff member")

    class FieldType(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Whole number")
        DECIMAL = "decimal", _("Decimal")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")

    entity = models.CharField(_("object"), max_length=16, choices=Entity.choices)
    key = models.CharField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=16, choices=FieldType.choices)
    choices = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    default = models.JSONField(_("default"), null=True, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["entity", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="custom_field_key_unique")]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return f"{self.get_entity_display()} · {self.label}"
