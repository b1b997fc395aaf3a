"""The demo users: one per role, tied to real staff of the loaded brokerage."""
import datetime as dt

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from brokercrm.customers.facade import customer_contact, customer_unheld, prospect_create, prospects_in_review_count
from brokercrm.org.facade import STAFF_BOUND, Role, Staff, User, staff_leave, user_create
from brokercrm.platform.facade import process_instances_exist
from brokercrm.relations.facade import relation_add_apply
from brokercrm.servicing import facade as servicing


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
            if role in STAFF_BOUND and staff is None:
                continue
            user = user_create(username=username, role=role, staff_no=staff.staff_no if staff else None,
                               branch_code=branch.code if branch and not staff else None, password=password)
        where = f" · {user.staff}" if user.staff else (f" · {user.branch}" if user.branch else "")
        described.append((username, f"{user.get_role_display()}{where}"))
    return described


def ensure_demo_activity(*, period: str) -> list[str]:
    """Work in flight so every page has something to show: a pending relation application, the month evaluated and paid."""
    done = []
    broker = User.objects.filter(username="broker").select_related("staff__branch").first()
    if broker and not process_instances_exist():
        customer = customer_unheld(branch_id=broker.staff.branch_id)
        if customer:
            start = max(customer.open_date, dt.date(2026, 10, 8))
            relation_add_apply(actor=broker, customer=customer, staff=broker.staff, relation_type="service", start_date=start,
                               reason="客户主动要求由本人提供服务")
            done.append(f"pending application: broker serves {customer.customer_no} (waiting for branchmgr)")
    queued = _demo_prospect_review(broker)
    if queued:
        done.append(queued)
    departed = _demo_departure(broker)
    if departed:
        done.append(departed)
    done.extend(_demo_service(broker))
    for command in (("evaluation", "run", "--scheme", "all", "--period", period), ("payroll", "run", "--period", period)):
        try:
            call_command(*command)
            done.append(" ".join(command))
        except (CommandError, SystemExit) as exc:  # e.g. the month's payroll was already approved in an earlier demo
            done.append(f"{' '.join(command)}: kept as it is ({exc})")
    return done


def _demo_prospect_review(broker: User | None) -> str:
    """The demo broker enters a prospect who already holds an account in another branch: saved like any other, and
    waiting under 待复核 for branchmgr and headoffice (idempotent: once one waits, nothing more)."""
    other = User.objects.filter(username="broker2").select_related("staff").first()
    if broker is None or other is None or prospects_in_review_count():
        return ""
    customer = customer_unheld(branch_id=other.staff.branch_id)
    if customer is None:
        return ""
    prospect = prospect_create(actor=broker, name=customer.name, branch=broker.staff.branch, staff=broker.staff, source="demo",
                               mobile=customer_contact(customer_id=customer.id).mobile)
    return f"prospect P{prospect.pk} waits for review: same mobile as {customer.customer_no} of branch {customer.branch_code}"


def _demo_departure(broker: User | None) -> str:
    """One broker of the demo broker's branch without a login leaves today, keeping his open relations, so that the
    branch manager's hand-over list has someone to hand over (idempotent: once a colleague has left, nothing more)."""
    if broker is None or Staff.objects.filter(branch_id=broker.staff.branch_id, leave_date__isnull=False, user__isnull=True).exists():
        return ""
    leaving = (Staff.objects.filter(branch_id=broker.staff.branch_id, category__code="account_manager", user__isnull=True,
                                    leave_date__isnull=True)
               .annotate(open=Count("relations", filter=Q(relations__end_date__isnull=True))).filter(open__gt=0)
               .order_by("open", "staff_no").first())
    if leaving is None:
        return ""
    staff_leave(actor=None, staff=leaving, leave_date=timezone.localdate())
    return f"departure: {leaving} left today with {leaving.open} open relation(s) (branchmgr's hand-over list)"


def _demo_service(broker: User | None) -> list[str]:
    """Differentiated service (issue 16): the diamond wealth-report strategy waiting in preview for head office, the same
    for the demo broker's branch active and sent, a call-centre queue with one task taken by the agent, key-customer
    visits with one done by the broker (it counts in the month's evaluation), and the care of the last load
    (idempotent: strategies are created once, runs and generation are no-ops the second time)."""
    agent = User.objects.filter(username="agent").first()
    if broker is None:
        return []
    branch = broker.staff.branch.code
    day = servicing.business_today()
    plans = [
        ("钻石客户月度理财报告", "tier:diamond", "wealth_report", "email", "monthly", "service_staff", False),
        (f"钻石客户月度理财报告（{branch}营业部）", f"tier:diamond@{branch}", "wealth_report", "email", "monthly", "service_staff", True),
        (f"黄金客户季度关怀电话（{branch}营业部）", f"tier:gold@{branch}", "customer_care", "call", "quarterly", "call_centre", True),
    ]
    done = []
    for name, segment, content, channel, frequency, owner, run in plans:
        strategy = servicing.strategy_named(name) or servicing.strategy_create(
            actor=None, name=name, segment=segment, content=content, channel=channel, frequency=frequency, owner=owner,
            active=False, body="{name}您好，客户经理将致电向您问候并了解您的需求。" if channel == "call" else "")
        if run:
            servicing.strategy_activate(actor=None, strategy=strategy)
            result = servicing.strategy_run(actor=None, strategy=strategy, period=day)
            done.append(f"strategy {name}: {result.messages} e-mails, {result.tasks} call tasks")
        else:
            done.append(f"strategy {name}: waits in preview for headoffice to activate")
    queued = servicing.call_queue(user=agent).first() if agent else None
    if queued is not None and not servicing.visit_to_complete(staff_id=agent.staff_id, kind="strategy"):
        servicing.task_take(actor=agent, task=queued)
        done.append(f"agent took the call task on {queued.customer.customer_no}")
    key = servicing.policy_visits_generate(as_of=day, key_customers=servicing.key_customers(day)).key
    visit = (servicing.visit_to_complete(staff_id=broker.staff_id, kind="visit_key")
             or servicing.visit_to_complete(staff_id=None, kind="visit_key"))
    if visit is not None:
        # the demo broker's own key visit when they have one, else another's recorded by the system for its assignee
        actor = broker if visit.staff_id == broker.staff_id else None
        servicing.task_complete(actor=actor, task=visit, outcome="satisfied", note="季度拜访：客户对资产配置满意")
        done.append(f"key-customer visits: {key} generated; {visit.staff} visited {visit.customer.customer_no} on {visit.done_on}")
    return done
