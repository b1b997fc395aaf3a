"""Menu entries of this app (core.navigation.register), added with its pages."""
from django.utils.translation import gettext_lazy as _

from brokercrm.analytics.views import CONFIG_EDITORS, READERS
from brokercrm.core import navigation

navigation.register(_("Segments"), "analytics:overview", roles=READERS, order=40)
navigation.register(_("Segment migration"), "analytics:migration", roles=READERS, order=41)
navigation.register(_("Segment definitions"), "analytics:config", roles=READERS, order=42)
navigation.register(_("Tier pins"), "analytics:pins", roles=CONFIG_EDITORS | {"branch_manager"}, order=43)
