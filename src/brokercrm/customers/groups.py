"""Saved customer groups (客户分组) and tags as sets of customers, for segments of apps above (service strategies)."""
from django.http import QueryDict

from brokercrm.core.errors import DomainError
from brokercrm.customers.forms import CustomerFilterForm
from brokercrm.customers.models import CustomerTag, SavedFilter
from brokercrm.customers.selectors import customer_search, tag_list
from brokercrm.org.facade import branch_list


def saved_group_customer_ids(*, name: str) -> list[int]:
    """The customers a saved group selects today, in its owner's scope. `name` is the group's name, or
    `username/name` when several users keep a group of that name."""
    owner_name, _, group_name = name.rpartition("/")
    saved = SavedFilter.objects.filter(name=group_name).select_related("owner")
    if owner_name:
        saved = saved.filter(owner__username=owner_name)
    found = list(saved[:2])
    if not found:
        raise DomainError(f"no saved customer group named '{name}'", field="segment")
    if len(found) > 1:
        owners = ", ".join(sorted(f"{g.owner.username}/{group_name}" for g in saved))
        raise DomainError(f"several users keep a group named '{group_name}': write one of {owners}", field="segment")
    group = found[0]
    form = CustomerFilterForm(QueryDict(group.query), branches=branch_list(user=group.owner),
                              tags=tag_list().values_list("name", flat=True))
    return list(customer_search(user=group.owner, filters=form.filters()).values_list("id", flat=True))


def tagged_customer_ids(*, name: str) -> list[int]:
    """The customers carrying the tag; DomainError for a tag nobody created."""
    if not tag_list().filter(name=name).exists():
        raise DomainError(f"no tag named '{name}'", field="segment")
    return list(CustomerTag.objects.filter(tag__name=name).order_by("customer_id").values_list("customer_id", flat=True))
