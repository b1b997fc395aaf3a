"""Project-wide pytest fixtures: the small organisation most tests stand on, and the browser."""
import pytest


@pytest.fixture(autouse=True)
def _role_and_menu_cache_reset():
    """Roles, menus (org.policy) and layouts (customers.layouts) are cached per process; each test starts from its own rows."""
    from brokercrm.customers.layouts import layouts_cache_reset
    from brokercrm.org.policy import config_cache_reset

    config_cache_reset()
    layouts_cache_reset()
    yield
    config_cache_reset()
    layouts_cache_reset()


@pytest.fixture
def org_world(db):
    """Two branches; branch 0001 has a team with a leader and two brokers, plus a branch manager; branch 0002 one broker."""
    from brokercrm.org.roles import Role
    from brokercrm.org.tests.factories import BranchFactory, StaffFactory, TeamFactory, category, user_for

    b1 = BranchFactory(code="0001", name="上海浦东新区营业部")
    b2 = BranchFactory(code="0002", name="北京金融街营业部")
    team = TeamFactory(branch=b1, code="T01")
    manager = StaffFactory(staff_no="S0001", name="王经理", category=category("branch_manager"), branch=b1)
    leader = StaffFactory(staff_no="S0002", name="李团队长", category=category("team_leader"), branch=b1, team=team)
    broker = StaffFactory(staff_no="S0003", name="张三", branch=b1, team=team)
    colleague = StaffFactory(staff_no="S0004", name="赵四", branch=b1, team=team)
    other = StaffFactory(staff_no="S0005", name="钱五", branch=b2)
    return {
        "branches": (b1, b2), "team": team,
        "staff": {"manager": manager, "leader": leader, "broker": broker, "colleague": colleague, "other": other},
        "users": {
            "admin": user_for(Role.ADMIN, username="admin"),
            "head_office": user_for(Role.HEAD_OFFICE, username="ho"),
            "compliance": user_for(Role.COMPLIANCE, username="compliance"),
            "branch_manager": user_for(Role.BRANCH_MANAGER, staff=manager, username="bm"),
            "team_leader": user_for(Role.BROKER, staff=leader, username="leader"),
            "broker": user_for(Role.BROKER, staff=broker, username="broker"),
            "other_broker": user_for(Role.BROKER, staff=other, username="other"),
            "service_agent": user_for(Role.SERVICE_AGENT, staff=StaffFactory(staff_no="S0006", category=category("service_agent"), branch=b1), username="agent"),
        },
    }


pytest_plugins = ["brokercrm.core.tests.browser"]
