"""Customer care (客户关怀), generated after each load: birthday, account-anniversary and holiday greetings by SMS,
and market-drop care — a customer whose assets fell by the policy's percent over its trading days gets a call task
for the responsible staff member. Each greeting and task is made once (dedupe keys), so re-running adds nothing.

Care is for today, not for a history backfill: a load is cared for on its last business date only, covering the
calendar days since the trading day before it (weekend birthdays are greeted on the next load). Birthdays come
from the stored birth date, else from the ID number of a person (customers.facade.birth_date_from_id).
Holidays with a fixed date are greeted on the last trading day before them (the Spring Festival follows the lunar
calendar and is not among them).
"""
import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from brokercrm.core.audit import audit_created_many
from brokercrm.customers.facade import customer_care_dates, customer_contacts_open_on
from brokercrm.datacenter.facade import alert_hits, trading_calendar
from brokercrm.relations.facade import responsible_staff
from brokercrm.servicing.models import ServiceTask
from brokercrm.servicing.services.outbox import message_enqueue
from brokercrm.servicing.services.tasks import visit_policy

FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (10, 1): "国庆节"}
BIRTHDAY_TEXT = "尊敬的{name}：今天是您的生日，我们衷心祝您生日快乐、身体健康、投资顺利！"
ANNIVERSARY_TEXT = "尊敬的{name}：今天是您在我司开户 {years} 周年，感谢您一路以来的信任与支持！"
HOLIDAY_TEXT = "尊敬的{name}：{holiday}将至，祝您和家人节日快乐！假期前请留意账户安全与持仓风险。"
DROP_TASK_DUE_DAYS = 2


@dataclass(frozen=True)
class CareRun:
    birthdays: int
    anniversaries: int
    holidays: int
    drop_tasks: int


def _covered_days(dates: list[dt.date], cal) -> list[dt.date]:
    """The calendar days a load on `dates` covers: from the day after the trading day before the first date to the last."""
    first = cal.previous_trading_day(min(dates), provisional=True) + dt.timedelta(days=1)
    return [first + dt.timedelta(days=i) for i in range((max(dates) - first).days + 1)]


def _greet(contact, kind: str, key: str, text: str) -> int:
    if not contact.mobile:
        return 0
    _, created = message_enqueue(channel="sms", recipient=contact.mobile, customer_id=contact.id, body_text=text,
                                 dedupe_key=f"care:{kind}:{key}:{contact.customer_no}")
    return int(created)


@transaction.atomic
def care_generate(*, dates: list[dt.date], con) -> CareRun:
    """Greetings and market-drop call tasks for the business dates just loaded (con: the warehouse the load holds)."""
    if not dates:
        return CareRun(0, 0, 0, 0)
    policy = visit_policy()
    cal = trading_calendar()
    as_of = max(dates)
    dates = [as_of]
    covered = {(d.month, d.day): d for d in _covered_days(dates, cal)}
    contacts = {c.id: c for c in customer_contacts_open_on(as_of)}
    birthdays = anniversaries = holidays = 0
    for customer_id, birth, opened in customer_care_dates(as_of):
        contact = contacts.get(customer_id)
        if contact is None:
            continue
        if policy.care_birthdays and birth and (birth.month, birth.day) in covered:
            day = covered[(birth.month, birth.day)]
            birthdays += _greet(contact, "birthday", str(day.year), BIRTHDAY_TEXT.format(name=contact.name))
        if policy.care_anniversaries and (opened.month, opened.day) in covered:
            day = covered[(opened.month, opened.day)]
            if day.year > opened.year:
                anniversaries += _greet(contact, "anniversary", str(day.year),
                                        ANNIVERSARY_TEXT.format(name=contact.name, years=day.year - opened.year))
    if policy.care_holidays:
        following = cal.next_trading_day(as_of, provisional=True)
        for offset in range(1, (following - as_of).days + 1):
            day = as_of + dt.timedelta(days=offset)
            holiday = FIXED_HOLIDAYS.get((day.month, day.day))
            if holiday:
                for contact in contacts.values():
                    holidays += _greet(contact, "holiday", day.isoformat(), HOLIDAY_TEXT.format(name=contact.name, holiday=holiday))
    return CareRun(birthdays, anniversaries, holidays, _drop_tasks(dates, con, policy, cal, contacts))


def _drop_tasks(dates, con, policy, cal, contacts) -> int:
    """A call task for each customer whose assets fell by the policy's percent over its trading days (the assets-drop
    condition of the alert rules, with the care policy's own thresholds)."""
    params = {"percent": policy.care_drop_percent, "days": policy.care_drop_days, "min_assets": policy.care_drop_min_assets}
    hits = alert_hits(con, dates=dates, rules={"assets_drop": params})
    by_no = {c.customer_no: c for c in contacts.values()}
    keys = {f"care:market_drop:{biz_date}:{no}": (by_no[no], biz_date) for _, no, biz_date, *_ in hits if no in by_no}
    existing = set(ServiceTask.objects.filter(source_key__in=list(keys)).values_list("source_key", flat=True))
    routing = responsible_staff(c.id for c, _ in keys.values())
    new = [ServiceTask(customer_id=c.id, kind=ServiceTask.Kind.CARE, title="Market-drop care call", due_date=cal.add_trading_days(
               biz_date, DROP_TASK_DUE_DAYS, provisional=True), staff_id=routing.staff_on(c.id, biz_date), source_key=key)
           for key, (c, biz_date) in keys.items() if key not in existing]
    ServiceTask.objects.bulk_create(new)
    if new:
        audit_created_many(actor=None, instances=list(ServiceTask.objects.select_related("customer").filter(source_key__in=[t.source_key for t in new])),
                           note="customer care: market drop")
    return len(new)
