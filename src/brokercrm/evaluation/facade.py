"""What other apps (compensation) may use of evaluation."""
from brokercrm.evaluation.indicators import BY_NAME as INDICATORS_BY_NAME  # noqa: F401
from brokercrm.evaluation.indicators import INDICATORS, EvalPeriod, parse_period  # noqa: F401
from brokercrm.evaluation.marts import branch_indicators, staff_indicators, work_indicators  # noqa: F401

INDICATOR_NAMES = tuple(i.name for i in INDICATORS)
from brokercrm.evaluation.selectors import scheme_targets, staff_scores  # noqa: F401,E402
from brokercrm.evaluation.indicators import WORK_INDICATORS  # noqa: F401,E402

DRILL_URL = "evaluation:drill"
from brokercrm.evaluation.bulk import insert_rows  # noqa: F401,E402
