"""Menu entries of this app (core.navigation.register), added with its pages."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import SEGMENT_READERS, TIER_PIN_EDITORS

navigation.register(_("Segments"), "analytics:overview", roles=SEGMENT_READERS, order=40)
navigation.register(_("Segment migration"), "analytics:migration", roles=SEGMENT_READERS, order=41)
navigation.register(_("Segment definitions"), "analytics:config", roles=SEGMENT_READERS, order=42)
navigation.register(_("Tier pins"), "analytics:pins", roles=TIER_PIN_EDITORS, order=43)
