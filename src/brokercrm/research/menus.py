"""Menu entries of the research library."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import RESEARCH_EDITORS, RESEARCH_READERS

navigation.register(_("Research library"), "research:library", roles=RESEARCH_READERS, order=60)
navigation.register(_("Upload a report"), "research:upload", roles=RESEARCH_EDITORS, order=61)
