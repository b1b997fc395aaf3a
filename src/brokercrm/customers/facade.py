"""What other apps may use of the customer base."""
from brokercrm.customers.panels import register_panel  # noqa: F401
from brokercrm.customers.selectors import (  # noqa: F401
    CustomerFilters, customer_get, customer_list, customer_scope_q, customer_search, register_list_filter, scope_date,
)
# Used by servicing: customers as ids and plain rows (no Customer rows cross).
from brokercrm.customers.selectors import (customer_by_mobile, customer_ids_by_no, customers_open_after,  # noqa: F401,E402
                                           customers_opened)
