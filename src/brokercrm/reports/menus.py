from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import REPORT_MANAGERS, REPORT_READERS

navigation.register(_("Reports"), "reports:list", roles=REPORT_READERS, order=70)
navigation.register(_("Report builder"), "reports:builder", roles=REPORT_READERS, order=71)
navigation.register(_("Role dashboards"), "reports:dashboards", roles=REPORT_MANAGERS, order=72)
