"""The demo users: one per role, tied to real staff of the loaded brokerage."""
import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from brokercrm.core.errors import DomainError
from brokercrm.customers.facade import (LIST_COLUMNS, CustomerFilters, customer_contact, customer_refs_search, customer_unheld,
                                        layout_entries, page_layout_save, prospect_create, prospects_in_review_count)
from brokercrm.datacenter.facade import latest_loaded_date
from brokercrm.evaluation import facade as evaluation
from brokercrm.objects.facade import objects_demo_setup
from brokercrm.org.facade import (APPROVAL_ESCALATION, STAFF_BOUND, Role, Staff, User, menu_editor_sections, menu_item_add,
                                  menu_item_move, menu_item_rename, role_create_from, role_pages, role_save, staff_leave,
                                  user_create)
from brokercrm.platform.facade import may_decide, pending_task_id, process_instances_exist, task_decide_by_id
from brokercrm.products.facade import (RecommendationRefused, customer_product_fits, product_edit, recommendation_conversions_refresh,
                                       recommendation_create, recommendations_exist)
from brokercrm.relations.facade import relation_add_apply
from brokercrm.reports.facade import reports_demo_setup
from brokercrm.research.facade import DEMO_REPORTS, report_id_by_title, report_import, report_pdf, report_push
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
    done += _demo_research(broker)
    done.extend(_demo_service(broker))
    for command in (("evaluation", "run", "--scheme", "all", "--period", period), ("payroll", "run", "--period", period)):
        try:
            call_command(*command)
            done.append(" ".join(command))
        except (CommandError, SystemExit) as exc:  # e.g. the month's payroll was already approved in an earlier demo
            done.append(f"{' '.join(command)}: kept as it is ({exc})")
    done += _demo_evaluation(period)
    done += reports_demo_setup()
    done += objects_demo_setup()
    done += _demo_administration()
    return done


def _demo_administration() -> list[str]:
    """Issue 17 (menus, layouts, roles as data): a role created from the branch manager's, a menu item 投诉处理 for branch
    managers, brokers' menu and 360° page arranged; idempotent (an existing role or item is left as it is)."""
    admin, broker = User.objects.filter(username="admin").first(), User.objects.filter(username="broker").first()
    if admin is None or broker is None:
        return []
    done = []
    try:
        role_create_from(actor=admin, code="branch_assistant", name="营业部助理", name_en="Branch assistant", based_on="branch_manager")
        pages = role_pages("branch_assistant") - {"relations:handover", "compensation:cost_benefit"}
        role_save(actor=admin, code="branch_assistant", name="营业部助理", name_en="Branch assistant", scope_kind="branch",
                  pages=pages, unmask_fields={"mobile"})
        done.append("role 营业部助理 (branch_assistant): based on the branch manager, no hand-over or cost-benefit pages, mobile only")
    except DomainError:
        pass
    if not User.objects.filter(username="assistant").exists():
        user_create(actor=admin, username="assistant", role="branch_assistant", branch_code=broker.staff.branch.code)
        done.append("user assistant: 营业部助理 of the broker's branch (set a password on the users page)")
    targets = {line.target for section in menu_editor_sections(role_code="branch_manager") for line in section["items"]}
    if "/objects/complaint/" not in targets:
        menu_item_add(actor=admin, role_code="branch_manager", section="客户服务", kind="object_list",
                      target="/objects/complaint/", label="投诉处理")
        menu_item_add(actor=admin, role_code="branch_manager", section="外部链接", kind="link",
                      target="https://www.sse.com.cn/disclosure/", label="上交所信息披露")
        menu_item_rename(actor=admin, role_code="broker", item_id=None, target="customers:list", label="我的客户")
        menu_item_move(actor=admin, role_code="broker", item_id=None, target="customers:prospect_list", direction="up")
        done.append("menus: 投诉处理 and 上交所信息披露 for branch managers; brokers' 我的客户 after their prospects")
    if not any(e.hidden for e in layout_entries(role_code="broker", page="customer_list")):
        keys = [e.key for e in layout_entries(role_code="broker", page="customer_360")]
        first = [k for k in ("products", "service_history") if k in keys]
        page_layout_save(actor=admin, role_code="broker", page="customer_360",
                         entries=[{"key": k, "collapsed": k == "relations"} for k in first + [k for k in keys if k not in first]])
        page_layout_save(actor=admin, role_code="broker", page="customer_list",
                         entries=[{"key": k, "hidden": k == "id_no"} for k in LIST_COLUMNS])
        done.append("layouts: brokers' 360° page starts with suitable products, relation history collapsed; no ID column in their list")
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


def _demo_evaluation(period: str) -> list[str]:
    """Daily and weekly boards of the last loaded day, the two months before `period` evaluated so that the level review
    has three months (a demotion waits for branchmgr), and next month's net-commission target cascaded: head office →
    branches (approved by admin) → the demo branch's staff (approved by headoffice). Idempotent."""
    done = []
    day = latest_loaded_date()
    if day is None:
        return done
    week = "{0:04d}-W{1:02d}".format(*day.isocalendar()[:2])
    before = [(dt.date(int(period[:4]), int(period[5:]), 1) - dt.timedelta(days=n * 28)).strftime("%Y-%m") for n in (2, 1)]
    runs = [("--scheme", "all", "--period", day.isoformat()), ("--scheme", "all", "--period", week)]
    runs += [("--scheme", "AM-MONTHLY", "--period", month) for month in before]
    for args in runs:
        call_command("evaluation", "run", *args)
        done.append(f"evaluation run {' '.join(args)}")
    call_command("evaluation", "levels-review", "--month", period)
    done.append(f"evaluation levels-review --month {period} (proposals wait in branch managers' inboxes)")
    done += _demo_targets(period)
    return done


def _demo_targets(period: str) -> list[str]:
    head_office, admin, manager = (User.objects.filter(username=n).select_related("staff__branch").first()
                                   for n in ("headoffice", "admin", "branchmgr"))
    month_end = dt.date(int(period[:4]), int(period[5:]), 28) + dt.timedelta(days=4)
    following = month_end.strftime("%Y-%m")
    if head_office is None or admin is None or manager is None or evaluation.target_find(
            period=following, indicator="net_commission", scope="company", key="company"):
        return []
    company = evaluation.target_set_company(actor=head_office, period=following, indicator="net_commission", target=Decimal("3000000"))
    evaluation.target_split(actor=head_office, parent=company, to_scope="branch", method="last_year")
    _approve(f"target:{company.pk}", [head_office, admin], "同意总部分解")
    branch_code = manager.branch.code if manager.branch else manager.staff.branch.code
    branch = evaluation.target_find(period=following, indicator="net_commission", scope="branch", key=branch_code)
    if branch is None or branch.status != "approved":
        return [f"targets {following}: net commission 3,000,000 split to branches, waiting for approval"]
    evaluation.target_split(actor=manager, parent=branch, to_scope="staff", method="last_year")
    _approve(f"target:{branch.pk}", [head_office, admin], "同意营业部分解")
    return [f"targets {following}: net commission 3,000,000 split to branches (last year) and branch {branch_code} to its staff"]


def _approve(business_key: str, preferred: list[User], comment: str) -> None:
    """Approve a target split as the first user allowed to (the engine refuses the applicant)."""
    task_id = pending_task_id(key="target_split", business_key=business_key)
    users = preferred + list(User.objects.filter(role__in=list(APPROVAL_ESCALATION), is_active=True).order_by("pk"))
    decider = next((u for u in users if u is not None and may_decide(user=u, task_id=task_id)), None)
    if decider is not None:  # else it stays in the inbox for whoever may decide it
        task_decide_by_id(actor=decider, task_id=task_id, approved=True, comment=comment)
def _demo_research(broker: User | None) -> list[str]:
    """The research library: generated Chinese PDFs (stored once), and the two clients' reports pushed by the broker to
    their customers holding what each covers, by e-mail and by SMS (each customer once, however often the demo runs)."""
    done = []
    for sample in DEMO_REPORTS:
        if report_id_by_title(sample.title) is None:
            report_import(actor=None, file_name=f"{sample.title.split('：')[0]}.pdf", data=report_pdf(sample), title=sample.title,
                          analyst=sample.analyst, report_date=sample.report_date, report_type=sample.report_type, rating=sample.rating,
                          target_price=sample.target_price, industries=sample.industries, securities=sample.securities, tags=sample.tags,
                          audience=sample.audience)
            done.append(f"research report stored: {sample.title}")
    day = latest_loaded_date() or timezone.localdate()
    for sample, channel in ((DEMO_REPORTS[0], "email"), (DEMO_REPORTS[1], "sms")):
        pushed = report_push(actor=broker, report_id=report_id_by_title(sample.title), channel=channel, day=day)
        done.append(f"research push by {channel}: {pushed.queued} queued for {pushed.matched} holders of {'/'.join(sample.industries)}")
    return done

# Issuers and fees of the demo's product shelf (产品库), by product type.
_DEMO_ISSUERS = {"fund": ("华夏基金管理有限公司", "申购费 1.50%，管理费 1.20%/年，托管费 0.20%/年"),
                 "wealth": ("本公司资产管理部", "认购费 0，管理费 0.50%/年，业绩报酬 20%（超过业绩基准部分）")}


def ensure_demo_products() -> list[str]:
    """The product shelf enriched (issuer, fees, minimum, description; one product off sale), the demo broker's
    recommendations in flight (one refused as unsuitable, audited) and their conversions (idempotent: once any
    recommendation exists, nothing more)."""
    head_office = User.objects.filter(username="headoffice").first()
    broker = User.objects.filter(username="broker").first()
    if head_office is None or broker is None or recommendations_exist():
        return []
    customers = customer_refs_search(user=broker, filters=CustomerFilters(status="normal"))[:60]
    if not customers:
        return []
    enriched = [p for p in customer_product_fits(customer=customers[0]) if p.product_type in _DEMO_ISSUERS][:12]
    for index, fit in enumerate(enriched):
        issuer, fees = _DEMO_ISSUERS[fit.product_type]
        product_edit(actor=head_office, market=fit.market, security_code=fit.security_code, data={
            "issuer": issuer, "fees": fees, "term_days": 365 if fit.product_type == "wealth" else None,
            "min_subscription": Decimal("50000.00") if fit.product_type == "wealth" else Decimal("1000.00"),
            "status": "off_sale" if index == len(enriched) - 1 else "on_sale",
            "description": f"{fit.name}：风险等级 {fit.risk_level}，适合风险承受能力不低于 C{fit.risk_level[1]} 的客户。"})
    sent = refused = 0
    for customer in customers:
        fits = customer_product_fits(customer=customer)
        suitable = next((f for f in fits if f.suitable), None)
        above = next((f for f in fits if "risk_above_tolerance" in f.reasons), None)
        for fit in [f for f in (suitable if sent < 5 else None, above if not refused else None) if f]:
            try:
                recommendation_create(actor=broker, customer_no=customer.customer_no, market=fit.market,
                                      security_code=fit.security_code, channel="sms")
                sent += 1
            except RecommendationRefused:
                refused += 1
            except DomainError:  # no mobile to send to: the next customer
                continue
        if sent >= 5 and refused:
            break
    return [f"products: {len(enriched)} enriched (issuer, fees, minimum subscription; one off sale)",
            f"recommendations: {sent} sent by broker, {refused} refused as unsuitable (audited), "
            f"{recommendation_conversions_refresh()} converted", *_demo_product_strategy(broker, enriched[:-1])]


def _demo_product_strategy(broker: User, on_sale: list) -> list[str]:
    """A product-recommendation strategy (产品推荐策略) for the broker's branch, on the riskiest product on sale, run once:
    the customers it does not suit are skipped with their reasons (the strategy's page, its audit entry)."""
    if not on_sale:
        return []
    product = max(on_sale, key=lambda f: (f.risk_level, f.market, f.security_code))
    branch = broker.staff.branch.code
    name = f"{product.name}推荐（{branch}营业部）"
    strategy = servicing.strategy_create(
        actor=None, name=name, segment=f"all@{branch}", content="product_recommendation", channel="sms", frequency="once",
        owner="service_staff", active=True, product=f"{product.market}.{product.security_code}",
        body="{name}您好，向您推荐{product}，购买前请阅读产品说明书和风险揭示书。")
    result = servicing.strategy_run(actor=None, strategy=strategy, period=servicing.business_today())
    return [f"strategy {name} ({product.risk_level}): {result.messages} SMS, {result.unsuitable} customers skipped as "
            f"unsuitable (reasons on the strategy's page and in its audit entry)"]
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
