"""What other apps may use of the data center: the one reader of its results, the trading calendar, the steps of
the load graph, exports. Like every facade it only re-exports functions, frozen dataclasses and constants."""
from brokercrm.datacenter.calendar import CalendarWarning, CalendarYearUnknown, TradingCalendar  # noqa: F401
from brokercrm.datacenter.calendar import calendar_warning  # noqa: F401
from brokercrm.datacenter.facts import MonthStatement, alert_hits, dormant_customers, month_statement, warehouse_read  # noqa: F401
from brokercrm.datacenter.jobs import build_dw_step, build_marts_step, crm_copy, delivered_rows, ingest, publish_step  # noqa: F401
from brokercrm.datacenter.management.commands.export import register_export  # noqa: F401
from brokercrm.datacenter.pipelines.crm import RelationRow, StaffRow  # noqa: F401
from brokercrm.datacenter.reader import (  # noqa: F401
    BRANCH_INDICATORS, CUSTOMER_INDICATORS, LEVEL_INDICATORS, STAFF_INDICATORS, CustomerTrading, MonthIndicators,
    attributed_trades, customer_month_table, customer_profile_table, customer_trading, day_indicators, latest_customer_month, month_indicators,
    month_periods, snapshot_published,
)
from brokercrm.datacenter.selectors import (  # noqa: F401
    add_trading_days, is_trading_day, last_known_trading_day, latest_loaded_date, next_trading_day, trading_calendar,
    trading_day_on_or_before, trading_days,
)
from brokercrm.datacenter.semantic import (  # noqa: F401
    CUSTOMER_ATTRIBUTES, CUSTOMER_MONTH_DIMENSIONS, FACT_DIMENSIONS, MEASURE_KINDS, PROFILE_DIMENSIONS, STAFF_ATTRIBUTES, TIME_DIMENSIONS,
    WAREHOUSE_DIMENSIONS, WAREHOUSE_MEASURES, SemanticError, SemanticQuery, SemanticResult, semantic_check, semantic_last_day, semantic_query,
    semantic_snapshot, snapshot_version,
)
from brokercrm.datacenter.reader import holders_of_securities  # noqa: F401
from brokercrm.datacenter.facts import SecurityRow, securities_with_risk  # noqa: F401,E402
from brokercrm.datacenter.reader import security_buys, security_holders  # noqa: F401,E402
from brokercrm.datacenter.facts import WealthFacts, period_wealth  # noqa: F401,E402
