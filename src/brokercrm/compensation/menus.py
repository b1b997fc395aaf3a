"""Menu entries of this app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import ALL_ROLES, PAYROLL_RUNNERS

navigation.register(_("Payroll"), "compensation:home", roles=ALL_ROLES, order=65)
navigation.register(_("Pay rules"), "compensation:rules", roles=PAYROLL_RUNNERS, order=66)
