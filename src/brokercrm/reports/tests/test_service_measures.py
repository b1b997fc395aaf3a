"""Service measures beside the warehouse's: alerts, tasks and visits counted by the same dimensions, within scope."""
import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from brokercrm.core.audit import audit_record
from brokercrm.core.errors import DomainError
from brokercrm.compensation.models import PayrollRun, Payslip
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.evaluation.models import EvaluationRun, Scheme, Score
from brokercrm.org.models import Staff
from brokercrm.org.tests.factories import BranchFactory, StaffFactory, user_for
from brokercrm.reports.selectors import report_query
from brokercrm.servicing.models import Alert, ServiceTask
from brokercrm.servicing.tests.factories import AlertFactory, ServiceTaskFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def work(published):
    """Branch 0102's broker S0002 with customer 10000004; branch 0101 with customer 10000002; alerts and visits."""
    b1, b2 = BranchFactory(code="0101"), BranchFactory(code="0102")
    staff = StaffFactory(staff_no="S0002", branch=b2)
    mine, other = CustomerFactory(customer_no="10000004", branch=b2), CustomerFactory(customer_no="10000002", branch=b1)
    relate(mine, staff)
    AlertFactory(customer=mine, staff=staff, biz_date=dt.date(2026, 4, 2), status=Alert.Status.RESOLVED,
                 resolved_at=dt.datetime(2026, 4, 3, 10, tzinfo=SHANGHAI))
    AlertFactory(customer=other, biz_date=dt.date(2026, 4, 8))
    ServiceTaskFactory(customer=mine, staff=staff, due_date=dt.date(2026, 4, 20), status=ServiceTask.Status.DONE,
                       done_at=dt.datetime(2026, 4, 10, 9, tzinfo=SHANGHAI))
    ServiceTaskFactory(customer=mine, staff=staff, due_date=dt.date(2026, 4, 25))
    return user_for("broker", staff=staff)


def test_service_and_warehouse_measures_by_branch(work):
    """By branch for April: alerts raised/resolved, visits due/done and completion next to net commission; a branch
    with an alert but no trades has zeros for the warehouse measures; unrouted work is UNATTRIBUTED by staff."""
    result = report_query(user=None, measures=["alerts_raised", "alerts_resolved", "visits_due", "visits_done",
                                               "visit_completion_rate", "net_commission"],
                          by=["branch_code"], date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 30))
    rows = {r[0]: r[1:] for r in result.rows}
    assert rows["0102"][:5] == (1, 1, 2, 1, pytest.approx(0.5))
    assert str(rows["0102"][5]) == "4.95"
    assert rows["0101"][:4] == (1, 0, 0, 0) and rows["0101"][4] is None
    by_staff = report_query(user=None, measures=["alerts_raised"], by=["staff_no"], date_from=dt.date(2026, 4, 1),
                            date_to=dt.date(2026, 4, 30))
    assert by_staff.rows == (("S0002", 1), ("UNATTRIBUTED", 1))


def test_a_broker_counts_only_the_work_on_their_customers(work):
    """The broker's scope holds 10000004 only: branch 0101's alert is not counted."""
    result = report_query(user=work, measures=["alerts_raised"], by=["branch_code"], date_from=dt.date(2026, 4, 1),
                          date_to=dt.date(2026, 4, 30))
    assert result.rows == (("0102", 1),)


def test_service_measures_refuse_profile_dimensions(work):
    """Work records carry no customer type: grouping service measures by it is refused, naming the dimension."""
    with pytest.raises(DomainError) as caught:
        report_query(user=None, measures=["tasks_due"], by=["customer_type"], date_from=dt.date(2026, 4, 1),
                     date_to=dt.date(2026, 4, 30))
    assert caught.value.field == "by" and "customer_type" in caught.value.message


def test_score_by_staff_within_scope(work):
    """The month's evaluation score by staff_no: head office sees every scored staff member, a broker only themself;
    grouping the score by branch is refused."""
    other = StaffFactory(staff_no="S0009", branch=BranchFactory(code="0101"))
    mine = Staff.objects.get(staff_no="S0002")
    scheme = Scheme.objects.create(code="test-monthly", name="月度考核", category=mine.category, period_kind="month")
    run = EvaluationRun.objects.create(scheme=scheme, period="2026-04")
    for staff, total in ((mine, "88.50"), (other, "91.00")):
        Score.objects.create(run=run, staff=staff, branch=staff.branch, total=Decimal(total), rank_branch=1, rank_company=1)
    april = {"date_from": dt.date(2026, 4, 1), "date_to": dt.date(2026, 4, 30)}
    everyone = report_query(user=None, measures=["score", "net_commission"], by=["staff_no"], **april)
    assert {r[0]: str(r[1]) for r in everyone.rows if r[1] is not None} == {"S0002": "88.50", "S0009": "91.00"}
    assert report_query(user=work, measures=["score"], by=["staff_no"], **april).rows == (("S0002", Decimal("88.50")),)
    with pytest.raises(DomainError):
        report_query(user=None, measures=["score"], by=["branch_code"], **april)


def test_unmask_counts_from_the_audit_log(work):
    """Two unmasks by the broker in April count for S0002 and branch 0102; the broker sees only their own."""
    for _ in range(2):
        audit_record(actor=work, action=AuditEntry.Action.UNMASK, object_type="customers.customer", object_id="1")
    AuditEntry.objects.update(at=dt.datetime(2026, 4, 9, 10, tzinfo=SHANGHAI))
    april = {"date_from": dt.date(2026, 4, 1), "date_to": dt.date(2026, 4, 30)}
    result = report_query(user=None, measures=["unmask_count"], by=["branch_code", "staff_no"], **april)
    assert result.rows == (("0102", "S0002", 2),)
    assert report_query(user=work, measures=["unmask_count"], by=["month"], **april).rows == (("2026-04", 2),)


def test_payroll_measures_by_staff_and_branch_within_scope(work):
    """Gross pay, deductions and net pay from April's approved payslips: by staff and month for head office, by
    branch summed (hand-computed), a broker only their own; a draft run is hidden from the broker; a filter is refused."""
    mine, other = Staff.objects.get(staff_no="S0002"), StaffFactory(staff_no="S0009", branch=BranchFactory(code="0101"))
    third = StaffFactory(staff_no="S0011", branch=mine.branch)
    april = PayrollRun.objects.create(period="2026-04", status=PayrollRun.Status.APPROVED)
    march = PayrollRun.objects.create(period="2026-03", status=PayrollRun.Status.DRAFT)
    for run, staff, gross, deductions in ((april, mine, "8000.00", "1234.56"), (april, other, "9000.50", "1500.00"),
                                          (april, third, "7000.25", "1000.10"), (march, mine, "7500.00", "1200.00")):
        Payslip.objects.create(run=run, staff=staff, branch=staff.branch, category_code="broker", structure_code="B",
                               gross=Decimal(gross), deductions=Decimal(deductions),
                               net=Decimal(gross) - Decimal(deductions))
    spring = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 4, 30)}
    by_staff = report_query(user=None, measures=["gross_pay", "net_pay"], by=["staff_no", "month"], **spring)
    assert by_staff.rows == (("S0002", "2026-03", Decimal("7500.00"), Decimal("6300.00")),
                             ("S0002", "2026-04", Decimal("8000.00"), Decimal("6765.44")),
                             ("S0009", "2026-04", Decimal("9000.50"), Decimal("7500.50")),
                             ("S0011", "2026-04", Decimal("7000.25"), Decimal("6000.15")))
    by_branch = report_query(user=None, measures=["gross_pay", "pay_deductions"], by=["branch_code"],
                             date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 30))
    assert by_branch.rows == (("0101", Decimal("9000.50"), Decimal("1500.00")),
                              ("0102", Decimal("15000.25"), Decimal("2234.66")))
    assert report_query(user=work, measures=["gross_pay"], by=["staff_no", "month"], **spring).rows == (
        ("S0002", "2026-04", Decimal("8000.00")),)
    with pytest.raises(DomainError) as caught:
        report_query(user=None, measures=["gross_pay"], by=["staff_no"], where='staff_no == "S0002"', **spring)
    assert caught.value.field == "where"
