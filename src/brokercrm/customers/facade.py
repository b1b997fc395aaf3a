"""What other apps may use of the customer base: a customer in scope, the data scope as a filter, the 360° page's
panels and the customer list's filters.

The convention of every facade: it only re-exports functions (from services and selectors) and frozen dataclasses
(from contracts.py); functions take ids and plain values and return frozen dataclasses or plain values, never a
Customer row or queryset. The one exception is the data scope: customer_scope_q(user, prefix=…) is a Q object that
other apps push into their own queries, so that what a user may see is decided in one place (this app and
org/scope.py) and still filtered by each app's SQL instead of by lists of ids.
"""
from brokercrm.customers.contracts import CustomerContact, CustomerRef  # noqa: F401
from brokercrm.customers.models import CustomerStatus  # noqa: F401
from brokercrm.customers.panels import register_panel  # noqa: F401
from brokercrm.customers.selectors import (  # noqa: F401
    CustomerFilters, customer_get_to_win, customer_ref_by_id, customer_ref_get as customer_get, customer_refs_by_no,
    customer_scope_q, customer_unheld, register_list_filter, scope_date,
)
from brokercrm.customers.services import customer_lock  # noqa: F401
from brokercrm.customers.selectors import (  # noqa: F401
    customer_by_mobile, customer_id_index, customer_ids_by_no, customer_in_scope, customers_open_after, customers_opened,
)
from brokercrm.customers.services import customer_figures_refresh, customer_sync  # noqa: F401,E402
from brokercrm.customers.selectors import customer_contacts_open_on, customer_contacts_with_email  # noqa: F401
from brokercrm.customers.prospect_selectors import prospects_in_review_count  # noqa: F401,E402
from brokercrm.customers.prospect_services import prospect_create  # noqa: F401,E402
from brokercrm.customers.selectors import customer_contact  # noqa: F401,E402
from brokercrm.customers.selectors import customer_nos_in_scope  # noqa: F401,E402
from brokercrm.customers.selectors import customer_contacts_in_scope  # noqa: F401,E402
from brokercrm.customers.selectors import customer_end_assets, customer_refs_search, questionnaire_valid_until  # noqa: F401,E402
from brokercrm.customers.selectors import list_filters  # noqa: F401,E402
from brokercrm.customers.groups import saved_group_customer_ids, tagged_customer_ids  # noqa: F401,E402
from brokercrm.customers.identity_searches import identity_search_record  # noqa: F401,E402
from brokercrm.customers.selectors import birth_date_from_id, customer_care_dates  # noqa: F401,E402
from brokercrm.customers.selectors import customer_refs_by_id  # noqa: F401,E402
from brokercrm.customers.layouts import LIST_COLUMNS, layout_entries, page_layout_save  # noqa: F401,E402
