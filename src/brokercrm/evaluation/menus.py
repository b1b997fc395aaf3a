"""Menu entries of this app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import EVALUATION_READERS

navigation.register(_("Evaluation"), "evaluation:home", roles=EVALUATION_READERS, order=60)
navigation.register(_("Ranking board"), "evaluation:board", roles=EVALUATION_READERS, order=61)
navigation.register(_("Target cascade"), "evaluation:targets", roles=EVALUATION_READERS, order=62)
navigation.register(_("Level management"), "evaluation:levels", roles=EVALUATION_READERS, order=63)
