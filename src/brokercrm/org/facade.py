"""What other apps may use of the organisation."""
from brokercrm.org.models import Branch, Staff, User  # noqa: F401
from brokercrm.org.scope import DataScope, scope_for  # noqa: F401
from brokercrm.org.services import branch_upsert  # noqa: F401
from brokercrm.org.roles import Role  # noqa: F401,E402
from brokercrm.org.services import user_create  # noqa: F401,E402
