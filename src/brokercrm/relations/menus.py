"""Menu entries of the relations app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import ALL_ROLES, Role

navigation.register(_("Broker relations"), "relations:list", roles=ALL_ROLES - {Role.SERVICE_AGENT}, order=30)
navigation.register(_("Apply for a relation"), "relations:apply_add", roles={Role.BROKER, Role.BRANCH_MANAGER, Role.HEAD_OFFICE, Role.ADMIN}, order=31)
