"""Menu entries of this app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import ALL_ROLES, Role

navigation.register(_("Evaluation"), "evaluation:home", roles=ALL_ROLES - {Role.SERVICE_AGENT}, order=60)
