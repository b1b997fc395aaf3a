"""The demo's reports (make demo): head office's own report shared with branch managers, pinned to its home page,
and subscribed to by the branch managers, with the first delivery queued in the outbox; and a report of business-object
measures (complaints and campaign budgets by branch)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from brokercrm.org.facade import Role, User
from brokercrm.reports.models import Pin, Report, Subscription
from brokercrm.reports.services import report_save, subscription_create, subscriptions_deliver

DEMO_REPORT = "各营业部净佣金（按客户分层，本月对比上月）"
OBJECTS_REPORT = "投诉与营销活动（按营业部，本季度）"


def reports_demo_setup() -> list[str]:
    """Idempotent: the demo report, its pin and subscription exist afterwards; returns what was done."""
    head_office = User.objects.filter(role=Role.HEAD_OFFICE, is_active=True).order_by("pk").first()
    if head_office is None:
        return []
    done = []
    report = Report.objects.filter(name=DEMO_REPORT).first()
    if report is None:
        report = report_save(actor=head_office, definition={
            "name": DEMO_REPORT, "description": "驾驶舱演示：净佣金按营业部与客户分层，本月对比上月（环比）",
            "measures": ["net_commission", "commission_rate"], "dimensions": ["branch_code", "tier"], "period": "month",
            "comparisons": ["previous"], "sort": "net_commission", "view": "stacked", "shared_roles": ["branch_manager"]})
        done.append(f"report saved: {DEMO_REPORT} (shared with branch managers)")
    Pin.objects.get_or_create(user=head_office, report=report)
    for manager in User.objects.filter(role=Role.BRANCH_MANAGER, email=""):
        manager.email = f"{manager.username}@demo.brokercrm.local"
        manager.save(update_fields=["email"])
    if not Subscription.objects.filter(report=report).exists():
        subscription = subscription_create(actor=head_office, report=report, cron="0 8 1 * *", roles=["branch_manager"])
        # Due once now, so the outbox shows the first delivery (each manager's copy in their own branch's scope).
        Subscription.objects.filter(pk=subscription.pk).update(
            last_run_at=timezone.now() - dt.timedelta(days=32))
        done.append(f"subscription: {DEMO_REPORT} to branch managers at 08:00 on the 1st, "
                    f"{subscriptions_deliver()} e-mails queued in the outbox")
    if not Report.objects.filter(name=OBJECTS_REPORT).exists():
        report_save(actor=head_office, definition={
            "name": OBJECTS_REPORT, "description": "业务对象度量：各营业部投诉数量与营销活动预算合计（本季度，对比上季度）",
            "measures": ["objects.complaint.count", "objects.campaign.budget.sum"], "dimensions": ["branch_code"],
            "period": "quarter", "comparisons": ["previous"], "view": "table", "shared_roles": ["branch_manager"]})
        done.append(f"report saved: {OBJECTS_REPORT} (object measures, shared with branch managers)")
    return done
