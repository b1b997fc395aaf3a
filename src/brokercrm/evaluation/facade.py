"""What other apps (compensation) may use of evaluation: indicator names, periods, staff and branch indicators,
work indicators, scores and scheme targets; plain values and dataclasses only."""
from brokercrm.evaluation.indicators import INDICATOR_NAMES, WORK_INDICATORS, parse_period  # noqa: F401
from brokercrm.evaluation.marts import branch_indicators, staff_indicators  # noqa: F401
from brokercrm.evaluation.selectors import scheme_targets, staff_scores  # noqa: F401
from brokercrm.evaluation.work import work_indicators  # noqa: F401
from brokercrm.evaluation.indicators import PRODUCT_INDICATORS  # noqa: F401,E402
