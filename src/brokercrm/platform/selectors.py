"""Reads of the platform's configuration (custom field definitions are visible to every logged-in user)."""
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.platform.models import CustomFieldDefinition


def custom_field_list(*, entity: str = "", include_archived: bool = True) -> QuerySet[CustomFieldDefinition]:
    qs = CustomFieldDefinition.objects.all()
    if entity:
        qs = qs.filter(entity=entity)
    if not include_archived:
        qs = qs.filter(active=True)
    return qs.order_by("entity", "order", "id")


def custom_field_get(*, pk: int) -> CustomFieldDefinition:
    return get_object_or_404(CustomFieldDefinition, pk=pk)
