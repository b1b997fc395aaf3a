"""System checks of the organisation's settings (run by `brokercrm check` and at start-up)."""
from django.conf import settings
from django.core.checks import Error, register

from brokercrm.org.roles import ALL_ROLES


@register()
def require_2fa_roles_are_known(app_configs, **kwargs):
    unknown = sorted(set(settings.BROKERCRM_REQUIRE_2FA_ROLES) - ALL_ROLES)
    if not unknown:
        return []
    return [Error(f"BROKERCRM_REQUIRE_2FA_ROLES names unknown role(s) {', '.join(unknown)} (expected some of {', '.join(sorted(ALL_ROLES))})",
                  id="brokercrm.E201")]
