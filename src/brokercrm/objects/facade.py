"""What other apps may use of the business objects defined as data. Like every facade it only re-exports.

For the report layer (reports sits above objects): `object_measure_types()` and `object_measure_rows(...)` are what the
report catalogue composes: every type's count and number-field sums by month, branch and owner staff, in scope.
"""
from brokercrm.objects.demo import objects_demo_setup  # noqa: F401
from brokercrm.objects.selectors import CustomerRecord, customer_records  # noqa: F401
from brokercrm.objects.services import records_escalate_overdue  # noqa: F401
from brokercrm.objects.measures import (  # noqa: F401,E402
    MeasureField, MeasureType, ObjectMeasureRow, object_measure_rows, object_measure_types,
)
from brokercrm.objects.selectors import RecordSnapshot, record_snapshot, record_snapshots  # noqa: F401,E402
