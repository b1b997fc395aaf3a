"""Customer care: birthdays (from the ID number when no birth date), anniversaries, holidays, market-drop call tasks."""
import datetime as dt

import pytest

from brokercrm.customers.facade import birth_date_from_id
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.servicing.models import OutboxMessage, ServiceTask, VisitPolicy
from brokercrm.servicing.services.care import care_generate
from brokercrm.servicing.tests.warehouse_data import DAYS, build, customer, dates, new_warehouse

pytestmark = pytest.mark.django_db


def test_birth_date_from_an_id_number():
    """18 digits carry YYYYMMDD at 7–14, 15 digits YYMMDD at 7–12; anything else has none."""
    assert birth_date_from_id("31010119800304001X") == dt.date(1980, 3, 4)
    assert birth_date_from_id("310101800304001") == dt.date(1980, 3, 4)
    assert birth_date_from_id("310101198013400012") is None and birth_date_from_id("AB1234567") is None


def test_greetings_and_market_drop_care_for_a_load(org_world):
    """A load ending Thursday 03-05: the ID-number birthday (03-05) and the 6th anniversary (03-05) are greeted once, a
    birthday of 03-04 (the day before, an earlier load's) is not; the customer whose assets fell 16 % over 3 trading days
    gets a call task for their broker; re-running adds nothing."""
    VisitPolicy.objects.create(pk=1, care_drop_percent=15, care_drop_days=3)
    b1 = org_world["branches"][0]
    born = CustomerFactory(customer_no="20000001", name="周八", mobile="13700000001", id_no="310101198003050012", birth_date=None,
                           branch=b1, open_date=dt.date(2019, 6, 1))
    CustomerFactory(customer_no="20000002", name="吴九", mobile="13700000002", branch=b1, open_date=dt.date(2020, 3, 5),
                    birth_date=dt.date(1990, 7, 1))
    CustomerFactory(customer_no="20000004", mobile="13700000004", branch=b1, open_date=dt.date(2019, 6, 1), birth_date=dt.date(1990, 3, 4))
    dropping = CustomerFactory(customer_no="20000003", mobile="", branch=b1, open_date=dt.date(2019, 6, 1), birth_date=dt.date(1990, 7, 1))
    relate(dropping, org_world["staff"]["broker"], start=dt.date(2019, 6, 1))
    con, f = new_warehouse()
    customer(f, "20000003")
    for day, value in zip(DAYS, (100_000, 100_000, 95_000, 84_000, 84_000)):
        f.assets(day, "20000003", value)
    build(con, f)

    first = care_generate(dates=dates(*DAYS[:4]), con=con)
    again = care_generate(dates=dates(*DAYS[:4]), con=con)

    assert (first.birthdays, first.anniversaries, first.drop_tasks) == (1, 1, 1)
    assert (again.birthdays, again.anniversaries, again.drop_tasks) == (0, 0, 0)
    texts = dict(OutboxMessage.objects.values_list("recipient", "body_text"))
    assert "生日快乐" in texts["13700000001"] and "开户 6 周年" in texts["13700000002"]
    task = ServiceTask.objects.get(kind="care")
    assert (task.customer_id, task.staff.staff_no, task.source_key) == (dropping.pk, "S0003", "care:market_drop:2026-03-05:20000003")
    assert born.pk not in ServiceTask.objects.values_list("customer_id", flat=True)


def test_holiday_greetings_go_out_on_the_last_trading_day_before(org_world):
    """Loading 2026-09-30: National Day (10-01) comes before the next trading day, so every open customer with a mobile is greeted."""
    CustomerFactory(customer_no="21000001", mobile="13600000001", branch=org_world["branches"][0], birth_date=dt.date(1990, 7, 1),
                    open_date=dt.date(2019, 6, 1))
    con, f = new_warehouse("2026-09-30")
    build(con, f)
    run = care_generate(dates=[dt.date(2026, 9, 30)], con=con)
    assert run.holidays == 1
    assert "国庆节将至" in OutboxMessage.objects.get().body_text
