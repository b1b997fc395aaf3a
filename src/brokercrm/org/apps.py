from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "brokercrm.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.org import checks, menus  # noqa: F401  (register the system checks and the menu entries)
        from brokercrm.org.roles import APPROVAL_ESCALATION, PLATFORM_ADMINS, WORKFLOW_USERS, Role
        from brokercrm.org.scope import scope_for
        from brokercrm.platform.facade import PlatformAccess, platform_access_configure

        # The platform knows no organisation: it gets the roles, its named role sets and the data scope here.
        platform_access_configure(PlatformAccess(roles=dict(Role.choices), admins=PLATFORM_ADMINS, workflow_users=WORKFLOW_USERS,
                                                 escalation=APPROVAL_ESCALATION, scope_for=scope_for))
