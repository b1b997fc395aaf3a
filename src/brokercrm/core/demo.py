"""The demo users: one per role, tied to real staff of the loaded brokerage."""
from django.db.models import Count

from brokercrm.org.models import Staff, User
from brokercrm.org.roles import Role
from brokercrm.org.services import user_create


def _staff_with_most_customers(category: str) -> Staff | None:
    return (Staff.objects.filter(category__code=category, user__isnull=True, leave_date__isnull=True)
            .annotate(n=Count("relations")).order_by("-n", "staff_no").first())


def ensure_demo_users(*, password: str) -> list[tuple[str, str]]:
    """Create the demo logins that are missing (idempotent) and describe each."""
    broker = _staff_with_most_customers("account_manager")
    manager = (Staff.objects.filter(category__code="branch_manager", branch=broker.branch).first() if broker else None)
    agent = _staff_with_most_customers("service_agent")
    other_branch_broker = (Staff.objects.filter(category__code="account_manager", user__isnull=True, leave_date__isnull=True)
                           .exclude(branch=broker.branch).order_by("staff_no").first() if broker else None)
    plan = [
        ("admin", Role.ADMIN, None, None),
        ("headoffice", Role.HEAD_OFFICE, None, None),
        ("compliance", Role.COMPLIANCE, None, None),
        ("branchmgr", Role.BRANCH_MANAGER, manager, broker.branch if broker else None),
        ("broker", Role.BROKER, broker, None),
        ("broker2", Role.BROKER, other_branch_broker, None),
        ("agent", Role.SERVICE_AGENT, agent, None),
    ]
    described = []
    for username, role, staff, branch in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            if role in {Role.BROKER, Role.SERVICE_AGENT} and staff is None:
                continue
            user = user_create(username=username, role=role, staff_no=staff.staff_no if staff else None,
                               branch_code=branch.code if branch and not staff else None, password=password)
        where = f" · {user.staff}" if user.staff else (f" · {user.branch}" if user.branch else "")
        described.append((username, f"{user.get_role_display()}{where}"))
    return described
