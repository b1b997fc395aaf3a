"""Menu entries of this app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.roles import ALL_ROLES, Role

navigation.register(_("Payroll"), "compensation:home", roles=ALL_ROLES, order=65)
navigation.register(_("Pay rules"), "compensation:rules", roles={Role.ADMIN, Role.HEAD_OFFICE}, order=66)
