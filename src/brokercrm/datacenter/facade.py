"""What other apps may use of the data center."""
from brokercrm.datacenter.jobs import crm_changed as refresh_attribution  # noqa: F401
from brokercrm.datacenter.jobs import register_downstream  # noqa: F401
from brokercrm.datacenter.selectors import latest_loaded_date  # noqa: F401,E402
from brokercrm.datacenter.management.commands.export import register_export  # noqa: F401,E402
