"""Template tags behind relations/_history.html and relations/_staff_book.html, so other apps' pages can include them."""
import datetime as dt

from django import template

from brokercrm.customers.selectors import scope_date
from brokercrm.platform.workflow.selectors import instance_list
from brokercrm.relations import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_relations(context, customer):
    """The customer's relations (scoped by the requesting user) and their pending applications."""
    user = context["request"].user
    pending = instance_list(user=user, status="running").filter(business_key__startswith=f"relation:{customer.customer_no}:")
    return {"relations": selectors.relation_history(user=user, customer=customer), "pending": list(pending),
            "today": scope_date()}


@register.simple_tag(takes_context=True)
def staff_book_on(context, staff):
    """The staff member's book on ?book_date= (default: the latest loaded business date)."""
    request = context["request"]
    try:
        day = dt.date.fromisoformat(request.GET.get("book_date", ""))
    except ValueError:
        day = scope_date()
    rows = selectors.staff_book(user=request.user, staff=staff, on=day)
    development = [r for r in rows if r.relation_type == "development"]
    return {"day": day, "rows": rows, "development_count": len(development), "service_count": len(rows) - len(development)}
