"""Menu entries of this app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import ALL_ROLES, COST_BENEFIT_READERS, MY_WORK_USERS, PAYROLL_RUNNERS

navigation.register(_("Payroll"), "compensation:home", roles=ALL_ROLES, order=65)
navigation.register(_("Pay rules"), "compensation:rules", roles=PAYROLL_RUNNERS, order=66)
navigation.register(_("My evaluation and pay"), "compensation:me", roles=MY_WORK_USERS, order=64)
navigation.register(_("Cost and benefit"), "compensation:cost_benefit", roles=COST_BENEFIT_READERS, order=67)
