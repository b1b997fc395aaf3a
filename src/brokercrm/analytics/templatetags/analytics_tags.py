from django import template

from brokercrm.analytics import selectors

register = template.Library()


@register.simple_tag
def segment_history(customer):
    """Rows of the customer's segment history (the customer was fetched through the caller's scope)."""
    return selectors.customer_segment_history(customer=customer)
