"""Menu entries of the servicing app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import ALERT_RULE_READERS, ALL_ROLES, CALL_CENTRE_AGENTS, MY_WORK_USERS, SERVICE_OVERSEERS

navigation.register(_("My work today"), "servicing:my_work", roles=MY_WORK_USERS, order=50)
navigation.register(_("Alerts"), "servicing:alerts", roles=ALL_ROLES, order=51)
navigation.register(_("Service tasks"), "servicing:tasks", roles=ALL_ROLES, order=52)
navigation.register(_("Visit records"), "servicing:visits", roles=ALL_ROLES, order=53)
navigation.register(_("Outbox"), "servicing:outbox", roles=SERVICE_OVERSEERS, order=54)
navigation.register(_("Service strategies"), "servicing:strategies", roles=SERVICE_OVERSEERS, order=55)
navigation.register(_("Alert rules"), "servicing:alert_rules", roles=ALERT_RULE_READERS, order=56)
navigation.register(_("Call-centre desk"), "servicing:desk", roles=CALL_CENTRE_AGENTS, order=49)
navigation.register(_("Advice and model portfolios"), "servicing:advice", roles=SERVICE_OVERSEERS, order=57)
