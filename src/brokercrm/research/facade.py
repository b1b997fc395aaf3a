"""What other apps may use of the research library: the research pushes per staff member (service work for evaluation).
Like every facade it only re-exports functions."""
from brokercrm.research.selectors import report_id_by_title, research_pushes_by_staff  # noqa: F401
from brokercrm.research.samples import DEMO_REPORTS, SampleReport, report_pdf  # noqa: F401
from brokercrm.research.services import PushResult, report_import, report_push  # noqa: F401
