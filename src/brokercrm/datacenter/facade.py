"""What other apps may use of the data center: the one reader of its results, the steps of the load graph, exports."""
from brokercrm.datacenter.facts import MonthStatement, alert_hits, dormant_customers, month_statement, warehouse_read  # noqa: F401
from brokercrm.datacenter.jobs import build_dw_step, build_marts_step, crm_copy, day_rows, ingest, publish_step  # noqa: F401
from brokercrm.datacenter.management.commands.export import register_export  # noqa: F401
from brokercrm.datacenter.pipelines.crm import RelationRow, StaffRow  # noqa: F401
from brokercrm.datacenter.reader import (  # noqa: F401
    BRANCH_INDICATORS, CUSTOMER_INDICATORS, LEVEL_INDICATORS, STAFF_INDICATORS, CustomerTrading, MonthIndicators,
    attributed_trades, customer_month_table, customer_profile_table, customer_trading, latest_customer_month, month_indicators,
    month_periods, snapshot_published,
)
from brokercrm.datacenter.selectors import latest_loaded_date  # noqa: F401
