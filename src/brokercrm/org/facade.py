"""What other apps may use of the organisation."""
from brokercrm.org.models import Branch, Staff, User  # noqa: F401
from brokercrm.org.scope import DataScope, scope_for  # noqa: F401
from brokercrm.org.services import branch_upsert  # noqa: F401
from brokercrm.org.roles import Role  # noqa: F401,E402
from brokercrm.org.services import user_create  # noqa: F401,E402


def staff_rows() -> list[tuple]:
    """Every staff member as (staff_no, name, category code, branch code, hire_date, leave_date), for the warehouse."""
    return [(s.staff_no, s.name, s.category.code, s.branch.code, s.hire_date, s.leave_date)
            for s in Staff.objects.select_related("category", "branch")]
