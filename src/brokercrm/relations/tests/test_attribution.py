"""Staff attribution follows approved relation changes: the staff indicator export before and after, day by day."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from brokercrm.customers.models import Customer
from brokercrm.org.models import Staff
from brokercrm.org.roles import Role
from brokercrm.org.tests.factories import user_for
from brokercrm.platform.workflow import selectors as wf_selectors
from brokercrm.platform.workflow import services as wf
from brokercrm.relations import applications
from brokercrm.relations.models import Relation
from brokercrm.simulator.facade import simulate

pytestmark = pytest.mark.django_db
EFFECTIVE = dt.date(2026, 3, 5)
ADDITIVE = ["end_assets", "trade_amount", "trade_count", "commission", "net_commission"]


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):
    """Six trading days of the simulated trading system, written once for the module (plain files)."""
    root = tmp_path_factory.mktemp("relations-attribution") / "delivery"
    simulate(out=root, start=dt.date(2026, 3, 2), days=6, customers=60, staff=8, branches=2, seed=3)
    return root


@pytest.fixture
def loaded(delivery, tmp_path, settings):
    """The days loaded, staff and relations imported (the set-up order of test_etl_run)."""
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    root = delivery
    call_command("etl", "run", "--source", str(root), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("staff", "import", str(root / "staff.csv"), stdout=io.StringIO())
    call_command("relations", "import", str(root / "relations.csv"), stdout=io.StringIO())
    return tmp_path


def _export(level: str, out) -> dict[tuple[str, str], dict]:
    call_command("export", "indicators", "--level", level, "--grain", "day", "--from", "2026-03-02", "--to", "2026-03-09",
                 "--out", str(out), stdout=io.StringIO())
    with open(out, encoding="utf-8") as fh:
        return {(r["key"], r["period"]): r for r in csv.DictReader(fh)}


def _value(rows: dict, key: str, day: str, column: str) -> Decimal:
    row = rows.get((key, day))
    return Decimal(row[column]) if row else Decimal("0")


def _traded_customer(customer_rows: dict, candidates: set[str]) -> str:
    """A customer of the candidates with trades both before and from the effective date (so the split is visible)."""
    def trades(no, before):
        return sum(int(r["trade_count"]) for (k, day), r in customer_rows.items()
                   if k == no and (dt.date.fromisoformat(day) < EFFECTIVE) == before)
    return next(no for no in sorted(candidates) if trades(no, True) > 0 and trades(no, False) > 0)


def _approve_all(*users) -> None:
    for user in users:
        for task in wf_selectors.inbox_tasks(user=user):
            wf.task_decide(actor=user, task=task, approved=True)


def test_transfer_moves_the_customers_facts_from_the_effective_date_only(loaded, django_capture_on_commit_callbacks):
    """After an approved, backdated transfer the receiver gains exactly the customer's facts from the effective date; before stays."""
    customers = _export("customer", loaded / "customers.csv")
    open_dev = {r.customer.customer_no: r for r in Relation.objects.select_related("customer", "staff").filter(
        relation_type="development", end_date__isnull=True, start_date__lt=EFFECTIVE)}
    customer_no = _traded_customer(customers, set(open_dev))
    relation = open_dev[customer_no]
    current = relation.staff
    receiver = next(s for s in Staff.objects.filter(branch=current.branch).exclude(pk=current.pk).order_by("staff_no") if s.employed_on(EFFECTIVE))
    head_office = user_for(Role.HEAD_OFFICE, username="ho")
    manager = user_for(Role.BRANCH_MANAGER, branch=current.branch, username="bm")
    before = _export("staff", loaded / "before.csv")

    applications.relation_transfer_apply(actor=head_office, relation=relation, to_staff=receiver, effective_date=EFFECTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        _approve_all(manager)
    after = _export("staff", loaded / "after.csv")

    days = sorted({day for _, day in customers})
    assert days == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-09"]
    for day in days:
        moved = dt.date.fromisoformat(day) >= EFFECTIVE
        for column in ADDITIVE:
            share = _value(customers, customer_no, day, column) if moved else Decimal("0")
            assert _value(after, current.staff_no, day, column) == _value(before, current.staff_no, day, column) - share, (day, column)
            assert _value(after, receiver.staff_no, day, column) == _value(before, receiver.staff_no, day, column) + share, (day, column)
    assert sum(_value(customers, customer_no, d, "trade_count") for d in days if d >= "2026-03-05") > 0


def test_an_added_relation_attributes_a_customer_from_its_start_date(loaded, django_capture_on_commit_callbacks):
    """An approved development relation for an unattributed customer moves their facts from UNATTRIBUTED to the broker from the start."""
    customers = _export("customer", loaded / "customers.csv")
    held = set(Relation.objects.filter(relation_type="development").values_list("customer__customer_no", flat=True))
    eligible = set(Customer.objects.filter(open_date__lt=EFFECTIVE).exclude(customer_no__in=held).values_list("customer_no", flat=True))
    customer_no = _traded_customer(customers, eligible)
    customer = Customer.objects.get(customer_no=customer_no)
    broker_staff = next(s for s in Staff.objects.filter(branch=customer.branch, category__code__in=["account_manager", "team_leader"])
                        .order_by("staff_no") if s.employed_on(EFFECTIVE))
    broker = user_for(Role.BROKER, staff=broker_staff, username="broker")
    manager = user_for(Role.BRANCH_MANAGER, branch=customer.branch, username="bm")
    before = _export("staff", loaded / "before.csv")

    applications.relation_add_apply(actor=broker, customer=customer, staff=broker_staff, relation_type="development", start_date=EFFECTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        _approve_all(manager)
    after = _export("staff", loaded / "after.csv")

    for day in sorted({day for _, day in customers}):
        share = {c: _value(customers, customer_no, day, c) if day >= "2026-03-05" else Decimal("0") for c in ADDITIVE}
        for column in ADDITIVE:
            assert _value(after, broker_staff.staff_no, day, column) == _value(before, broker_staff.staff_no, day, column) + share[column]
            assert _value(after, "UNATTRIBUTED", day, column) == _value(before, "UNATTRIBUTED", day, column) - share[column]
