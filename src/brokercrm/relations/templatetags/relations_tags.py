"""Template tags behind relations/_history.html and relations/_staff_book.html, so other apps' pages can include them."""
import datetime as dt

from django import template

from brokercrm.customers.facade import scope_date
from brokercrm.platform.facade import pending_applications
from brokercrm.relations import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_relations(context, customer):
    """The customer's relations the requesting user may see and their pending applications (customer: a row or CustomerRef)."""
    user = context["request"].user
    return {"relations": selectors.relation_history(user=user, customer_id=customer.id),
            "pending": pending_applications(user=user, business_key_prefix=f"relation:{customer.customer_no}:"), "today": scope_date()}


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
