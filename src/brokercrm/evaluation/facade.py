"""What other apps (compensation, site) may use of evaluation: indicator names, periods, staff and branch indicators,
work indicators, scores and scheme targets, levels in force, a staff member's standing; the target cascade's services
for the demo. Plain values, dataclasses and functions only."""
from brokercrm.evaluation.indicators import INDICATOR_NAMES, WORK_INDICATORS, parse_period  # noqa: F401
from brokercrm.evaluation.marts import branch_indicators, staff_indicators  # noqa: F401
from brokercrm.evaluation.selectors import scheme_targets, staff_scores  # noqa: F401
from brokercrm.evaluation.work import WORK_SOURCES, work_indicators  # noqa: F401
from brokercrm.evaluation.levels import LevelInForce, levels_in_force  # noqa: F401
from brokercrm.evaluation.standing import Gap, MyStanding, Standing, my_standing  # noqa: F401
from brokercrm.evaluation.targets import target_find, target_set_company, target_split  # noqa: F401
from brokercrm.evaluation.indicators import PRODUCT_INDICATORS  # noqa: F401,E402
