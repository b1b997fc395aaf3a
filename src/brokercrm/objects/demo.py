"""The business objects in the demo (issue 17): complaints in flight (one assigned, two overdue and escalated to the
branch manager) and a running campaign with participants, all recorded through the services like a user would; and what
an admin sets up on the type's pages: the field 答复期限 on 投诉 and the branch managers' and brokers' layouts of the
complaint pages."""
import datetime as dt
from pathlib import Path

from django.utils import timezone

from brokercrm.customers.facade import CustomerFilters, customer_refs_search
from brokercrm.datacenter.facade import semantic_last_day
from brokercrm.objects import services, type_edits
from brokercrm.objects.models import ObjectRecord, ObjectType
from brokercrm.org.facade import User
from brokercrm.platform.facade import may_decide, pending_task_id, task_decide_by_id

SHIPPED = Path(__file__).parent / "shipped" / "objects.yaml"
COMPLAINTS = [  # (days ago received, channel, category, severity, summary)
    (20, "regulator", "suitability", "serious", "客户经监管转办反映：购买的R4理财产品与其C3风险承受能力不匹配，要求说明。"),
    (12, "phone", "trading", "normal", "客户来电反映：早盘交易软件登录缓慢，委托未能及时成交。"),
    (1, "counter", "fees", "normal", "客户在柜台询问：本月佣金费率高于开户时约定的标准。"),
]


REPLY_DEADLINE = {"key": "reply_deadline", "name_zh": "答复期限", "name_en": "Reply deadline", "kind": "date",
                  "help": "承诺答复客户的日期"}


def _admin_setup(admin) -> list[str]:
    """What an admin does on the type's pages, each step once: a field and layouts per role (the menu item 投诉处理 for
    branch managers is the site demo's, with the other menu edits)."""
    done = []
    complaint = ObjectType.objects.get(code="complaint")
    if not any(f["key"] == REPLY_DEADLINE["key"] for f in complaint.definition["fields"]):
        complaint = services.field_save(actor=admin, object_type=complaint, field=REPLY_DEADLINE)
        done.append(f"complaint v{complaint.version}: field 答复期限 (reply_deadline) added")
    if "detail" not in complaint.definition.get("layout", {}):
        complaint = type_edits.role_view_save(
            actor=admin, object_type=complaint, role="branch_manager",
            detail=[{"section": "other", "hidden": False, "collapsed": False}, {"section": "s1", "hidden": False, "collapsed": False},
                    {"section": "s2", "hidden": False, "collapsed": True}],
            columns=["customer", "severity", "reply_deadline", "received_on"])
        complaint = type_edits.role_view_save(
            actor=admin, object_type=complaint, role="broker",
            detail=[{"section": "s2", "hidden": False, "collapsed": False}, {"section": "s1", "hidden": False, "collapsed": True}],
            columns=[])
        done.append(f"complaint v{complaint.version}: layouts of branch managers and brokers")
    return done


def objects_demo_setup(*, today: dt.date | None = None) -> list[str]:
    """Idempotent: once any complaint exists, no more records (the shipped types come back from their file if deleted);
    the admin's field, menu item and layouts are each added once."""
    today = today or timezone.localdate()
    if not ObjectType.objects.filter(code__in=["complaint", "campaign"]).count() == 2:
        services.types_import(actor=None, data=SHIPPED.read_bytes(), file=SHIPPED.name)
    done = _admin_setup(User.objects.filter(username="admin").first())
    broker = User.objects.filter(username="broker").select_related("staff__branch").first()
    manager = User.objects.filter(username="branchmgr").first()
    head_office = User.objects.filter(username="headoffice").first()
    complaint, campaign = ObjectType.objects.get(code="complaint"), ObjectType.objects.get(code="campaign")
    if broker is None or ObjectRecord.objects.filter(object_type=complaint).exists():
        return done
    customers = customer_refs_search(user=broker, filters=CustomerFilters(status="normal"))[:8]
    if len(customers) < len(COMPLAINTS):
        return done
    for customer, (days, channel, category, severity, summary) in zip(customers, COMPLAINTS):
        record = services.record_create(actor=broker, object_type=complaint, today=today, raw={
            "customer": customer.customer_no, "channel": channel, "category": category, "severity": severity, "summary": summary,
            "received_on": (today - dt.timedelta(days=days)).isoformat(),
            "reply_deadline": (today - dt.timedelta(days=days - 10)).isoformat()})
        done.append(f"complaint {record.number} for {customer.customer_no}, due {record.due_on}")
    first = ObjectRecord.objects.filter(object_type=complaint).order_by("number").first()
    task_id = pending_task_id(key="complaint", business_key=f"complaint:{first.number}")
    if manager is not None and task_id is not None and may_decide(user=manager, task_id=task_id):
        task_decide_by_id(actor=manager, task_id=task_id, approved=True, comment="请客户经理核实产品适当性材料后答复客户")
        done.append(f"complaint {first.number} assigned by branchmgr")
    done.append(f"complaints escalated when overdue: {services.records_escalate_overdue(today=today)}")
    if head_office is not None and not ObjectRecord.objects.filter(object_type=campaign).exists():
        record = services.record_create(actor=head_office, object_type=campaign, today=today, raw={
            "name": f"{broker.staff.branch.name}岁末理财节", "branch": broker.staff.branch.code,
            "starts_on": (today - dt.timedelta(days=7)).isoformat(), "ends_on": (today + dt.timedelta(days=28)).isoformat(),
            "segment": "黄金及以上客户", "budget": "50000.00", "participants": [c.customer_no for c in customers[3:8]],
            "outcome": "活动进行中：已邀约客户参加线下投资策略会。"})
        services.record_transition(actor=head_office, record=record, to="running")
        done.append(f"campaign {record.number} running with {len(record.values.get('participants', []))} participants")
        last_day = semantic_last_day()
        if last_day is not None:  # a finished campaign over loaded days, so 营销活动效果 shows its participants' trading
            record = services.record_create(actor=head_office, object_type=campaign, today=today, raw={
                "name": f"{broker.staff.branch.name}金秋两融推广", "branch": broker.staff.branch.code,
                "starts_on": (last_day - dt.timedelta(days=60)).isoformat(), "ends_on": last_day.isoformat(),
                "segment": "活跃交易客户", "budget": "30000.00", "participants": [c.customer_no for c in customers[:8]],
                "outcome": "活动已结束：见 报表 › 营销活动效果。"})
            services.record_transition(actor=head_office, record=record, to="running")
            services.record_transition(actor=head_office, record=record, to="finished")
            done.append(f"campaign {record.number} finished, {record.values['starts_on']} – {record.values['ends_on']}")
    return done
