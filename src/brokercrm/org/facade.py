"""What other apps may use of the organisation."""
from brokercrm.org.models import Branch, Staff, User  # noqa: F401
from brokercrm.org.scope import DataScope, scope_for  # noqa: F401
from brokercrm.org.services import branch_upsert  # noqa: F401
from brokercrm.org.roles import ALL_ROLES, CALENDAR_EDITORS  # noqa: F401
