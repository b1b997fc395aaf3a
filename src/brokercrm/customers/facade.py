"""What other apps may use of the customer base."""
from brokercrm.customers.panels import register_panel  # noqa: F401
from brokercrm.customers.selectors import (  # noqa: F401
    CustomerFilters, customer_get, customer_list, customer_scope_q, customer_search, register_list_filter, scope_date,
)
from brokercrm.customers.services import customer_figures_refresh, customer_sync  # noqa: F401,E402
