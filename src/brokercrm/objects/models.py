"""Business objects defined as data (业务对象): a type's definition is a versioned JSON document, records are JSON too.

Adding a type or a field is a row, not a migration: the definition says what the fields, list, form, states and
permissions are; each record keeps its values in one JSON column, with the scope columns (customer, staff, branch)
denormalised so that the data scope filters in SQL with indexes.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class ObjectType(TimeStampedModel):
    """The current definition of one business object type; every saved change is a new version (ObjectTypeVersion)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    definition = models.JSONField(_("definition"), default=dict)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("object type")
        verbose_name_plural = _("object types")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class ObjectTypeVersion(models.Model):
    """One saved version of a definition, kept forever (the history an import or an edit adds to)."""

    object_type = models.ForeignKey(ObjectType, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["object_type", "-version"]
        constraints = [models.UniqueConstraint(fields=["object_type", "version"], name="object_type_version_unique")]


class ObjectRecord(TimeStampedModel):
    """One record of a type: its number, values (JSON, keyed by field key), state and the columns its scope needs."""

    object_type = models.ForeignKey(ObjectType, on_delete=models.PROTECT, related_name="records")
    number = models.CharField(_("number"), max_length=40)
    values = models.JSONField(_("values"), default=dict)
    state = models.CharField(_("state"), max_length=40, blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    process_instance_id = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["object_type", "number"], name="object_record_number_unique")]
        indexes = [models.Index(fields=["object_type", "customer"]), models.Index(fields=["object_type", "owner_staff"]),
                   models.Index(fields=["object_type", "branch"]), models.Index(fields=["object_type", "state", "due_on"])]
        verbose_name = _("business object record")
        verbose_name_plural = _("business object records")

    def __str__(self) -> str:
        return self.number
