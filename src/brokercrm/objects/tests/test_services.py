"""Object types as data and their records, through the services: no migration, no restart."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.http import Http404

from brokercrm.core.errors import InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.objects import selectors, services
from brokercrm.objects.measures import object_measure_rows
from brokercrm.objects.models import ObjectRecord, ObjectType
from brokercrm.platform.workflow.models import WorkTask
from brokercrm.platform.workflow.selectors import inbox_tasks
from brokercrm.platform.workflow.services import task_decide

pytestmark = pytest.mark.django_db

VISIT = {"code": "visit_log", "name_zh": "走访记录", "name_en": "Visit log", "owner": {"rule": "staff"},
         "fields": [{"key": "topic", "name_zh": "主题", "kind": "text", "required": True},
                    {"key": "cost", "name_zh": "费用", "kind": "decimal", "validate": "cost >= 0", "message": "费用不能为负"}],
         "permissions": {"admin": ["create", "read", "update", "delete", "export"], "broker": ["create", "read", "update"]}}


def complaint_values(**extra):
    return {"customer": "1001", "channel": "phone", "summary": "交易软件登录失败", "received_on": "2026-06-01", **extra}


def test_a_type_defined_as_data_is_used_at_once_and_a_new_field_too(world):
    """Given a type saved through the service, a broker records it right away; a field added later is usable at once and
    the older record keeps its values (no migration, no restart)."""
    admin, broker = world["users"]["admin"], world["users"]["broker"]
    object_type, created = services.type_save(actor=admin, node=VISIT)
    first = services.record_create(actor=broker, object_type=object_type, raw={"topic": "季度回访", "cost": "12.50"})
    assert (created, first.number, first.values, first.owner_staff.staff_no) == (True, "VI000001", {"topic": "季度回访", "cost": "12.50"}, "S0003")
    object_type = services.field_save(actor=admin, object_type=object_type, field={"key": "place", "name_zh": "地点", "kind": "text"})
    second = services.record_create(actor=broker, object_type=object_type, raw={"topic": "开户", "place": "浦东"})
    assert object_type.version == 2 and second.values == {"topic": "开户", "place": "浦东"}
    assert ObjectRecord.objects.get(pk=first.pk).values == {"topic": "季度回访", "cost": "12.50"}
    assert [r.number for r in selectors.record_list(user=broker, object_type=object_type)] == ["VI000002", "VI000001"]


def test_validation_formula_and_required_name_the_field(world):
    """A negative cost fails the type's formula and a missing topic is required: both refused, each naming its field."""
    object_type, _ = services.type_save(actor=world["users"]["admin"], node=VISIT)
    with pytest.raises(InputRejected) as exc:
        services.record_create(actor=world["users"]["broker"], object_type=object_type, raw={"cost": "-1"})
    assert [(p.field, p.message) for p in exc.value.problems] == [("topic", "is required")]
    with pytest.raises(InputRejected) as exc:
        services.record_create(actor=world["users"]["broker"], object_type=object_type, raw={"topic": "x", "cost": "-1"})
    assert [(p.field, p.message) for p in exc.value.problems] == [("cost", "费用不能为负")]
    assert ObjectRecord.objects.count() == 0


def test_a_removed_field_keeps_its_values_and_shows_them_as_removed(world):
    """Removing a field hides it from forms and lists; the stored value stays and the detail shows it as removed; adding
    it back with another kind is refused, so the stored value keeps its meaning."""
    admin, broker = world["users"]["admin"], world["users"]["broker"]
    object_type, _ = services.type_save(actor=admin, node=VISIT)
    record = services.record_create(actor=broker, object_type=object_type, raw={"topic": "回访", "cost": "3"})
    object_type = services.field_remove(actor=admin, object_type=object_type, key="cost")
    record.refresh_from_db()
    shown = selectors.record_values(record=record)
    assert record.values == {"topic": "回访", "cost": "3"}
    assert [(s.key, s.label, s.value, s.removed) for s in shown] == [("topic", "主题", "回访", False), ("cost", "费用", "3.00", True)]
    assert services.record_update(actor=broker, record=record, raw={"topic": "回访二"}).values == {"topic": "回访二", "cost": "3"}
    with pytest.raises(InputRejected) as exc:
        services.field_save(actor=admin, object_type=object_type, field={"key": "cost", "name_zh": "费用", "kind": "date"})
    assert [str(p) for p in exc.value.problems] == ["definition::fields.cost.kind: 字段类型不可更改（原为 decimal）"]


def test_yaml_round_trip_keeps_versions_and_a_change_makes_the_next(world, tmp_path):
    """Exporting the shipped types and importing them again changes nothing; an edited file makes version 2, history kept."""
    text = services.types_export()
    assert [r for r in services.types_import(actor=None, data=text, file="types.yaml")] == [("campaign", 1, False), ("complaint", 1, False)]
    edited = text.replace("name_zh: 投诉\n", "name_zh: 客户投诉\n")
    assert services.types_import(actor=None, data=edited, file="types.yaml")[1] == ("complaint", 2, True)
    complaint = ObjectType.objects.get(code="complaint")
    assert complaint.name_zh == "客户投诉" and list(complaint.versions.values_list("version", flat=True)) == [2, 1]
    assert services.types_export(codes=["complaint"]).count("version: 2") == 1


def test_a_bad_yaml_file_names_file_line_and_key_and_changes_nothing(world):
    """One unknown field kind in the second type refuses the whole file with FILE:LINE:COLUMN; the first type is not stored."""
    data = ("format: brokercrm-objects/1\ntypes:\n  - code: alpha\n    name_zh: 甲\n    name_en: A\n"
            "  - code: beta\n    name_zh: 乙\n    name_en: B\n    fields:\n      - {key: x, name_zh: 叉, kind: colour}\n")
    with pytest.raises(InputRejected) as exc:
        services.types_import(actor=None, data=data, file="bad.yaml")
    assert [str(p) for p in exc.value.problems] == ["bad.yaml:10:kind: 'colour' is not one of: text, number, decimal, date, choice, "
                                                    "multi_choice, customer, staff, branch, product, object"]
    assert not ObjectType.objects.filter(code__in=["alpha", "beta"]).exists()


def test_record_import_is_all_or_nothing_with_file_line_column(world):
    """A CSV whose third line has a bad channel stores none of its rows and names the file, line and column."""
    complaint = ObjectType.objects.get(code="complaint")
    broker = world["users"]["broker"]
    bad = "customer,channel,summary,received_on\n1001,phone,电话投诉,2026-06-01\n1001,fax,传真投诉,2026-06-02\n".encode()
    with pytest.raises(InputRejected) as exc:
        services.records_import(actor=broker, object_type=complaint, data=bad, file="complaints.csv")
    assert [str(p) for p in exc.value.problems] == ["complaints.csv:3:channel: 'fax' is not one of: phone, counter, email, regulator"]
    assert ObjectRecord.objects.count() == 0 and WorkTask.objects.count() == 0
    good = bad.replace(b"fax", b"counter")
    assert services.records_import(actor=broker, object_type=complaint, data=good, file="complaints.csv") == 2
    assert sorted(ObjectRecord.objects.values_list("values__channel", flat=True)) == ["counter", "phone"]


def test_a_broker_records_a_complaint_only_for_a_customer_in_scope(world):
    """The broker's own customer gives a complaint owned by the broker; another branch's customer answers 404 and the
    other broker's list never shows the first one."""
    complaint = ObjectType.objects.get(code="complaint")
    broker, other = world["users"]["broker"], world["users"]["other_broker"]
    record = services.record_create(actor=broker, object_type=complaint, raw=complaint_values())
    assert (record.number, record.owner_staff.staff_no, record.branch.code, record.customer.customer_no, record.state) == \
        ("TS000001", "S0003", "0001", "1001", "registered")
    assert record.values["severity"] == "normal"
    with pytest.raises(Http404):
        services.record_create(actor=broker, object_type=complaint, raw=complaint_values(customer="2001"))
    assert list(selectors.record_list(user=other, object_type=complaint)) == []
    assert [r.number for r in selectors.record_list(user=world["users"]["branch_manager"], object_type=complaint)] == ["TS000001"]
    assert AuditEntry.objects.filter(object_type=services.RECORD, object_id=str(record.pk), action="create").count() == 1


def test_a_complaint_waits_in_the_branch_managers_inbox_and_escalates_when_overdue(world):
    """A complaint received on Monday 2026-06-01 is due five working days later; the branch manager assigns it (the record
    follows the process), and once it is past due the broker's handling task goes to the branch manager, escalated."""
    complaint = ObjectType.objects.get(code="complaint")
    bm = world["users"]["branch_manager"]
    record = services.record_create(actor=world["users"]["broker"], object_type=complaint, raw=complaint_values())
    assert record.due_on == dt.date(2026, 6, 8)
    [assign] = inbox_tasks(user=bm)
    assert (assign.step, assign.candidate_branch.code) == ("assign", "0001")
    task_decide(actor=bm, task=assign, approved=True)
    record.refresh_from_db()
    assert record.state == "assigned"
    assert services.records_escalate_overdue(today=dt.date(2026, 6, 8)) == 0
    assert services.records_escalate_overdue(today=dt.date(2026, 6, 9)) == 1
    assert services.records_escalate_overdue(today=dt.date(2026, 6, 9)) == 0
    [handle] = inbox_tasks(user=bm)
    record.refresh_from_db()
    assert (handle.step, handle.candidate_role, handle.escalated, record.escalated) == ("handle", "branch_manager", True, True)


def test_measures_count_and_sum_per_period(world):
    """The report layer's measure: campaigns counted and their budgets summed per month of their start (the type's first
    date field), in scope; the
    list's budget range compares numbers (9 ≤ 2000 ≤ 2000, while 1 and 10000.50 fall outside)."""
    campaign = ObjectType.objects.get(code="campaign")
    ho = world["users"]["head_office"]
    for name, start, budget in (("春季理财节", "2026-03-02", "10000.50"), ("开门红", "2026-03-20", "2000"), ("夏日", "2026-06-01", "1")):
        services.record_create(actor=ho, object_type=campaign, raw={"name": name, "branch": "0001", "starts_on": start,
                                                                     "ends_on": "2026-06-30", "budget": budget})
    rows = object_measure_rows(user=ho, type_code="campaign", sum_fields=["budget"],
                               date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31))
    assert sorted((r.month, r.count, r.sums[0].normalize()) for r in rows) == [
        ("2026-03", 2, Decimal("12000.5")), ("2026-06", 1, Decimal("1"))]
    assert sum(r.count for r in rows) == 3
    by_budget = selectors.record_list(user=ho, object_type=campaign, filters={"budget_min": "9", "budget_max": "2000"})
    assert [r.values["name"] for r in by_budget] == ["开门红"]


def test_the_cli_exports_and_imports_definitions_and_names_a_bad_line(world, tmp_path, capsys):
    """`objects export --out` then `objects import` reports each type unchanged; a bad file exits 1 with FILE:LINE:COLUMN."""
    out = tmp_path / "types.yaml"
    call_command("objects", "export", "--out", str(out))
    call_command("objects", "import", str(out))
    assert capsys.readouterr().out.splitlines()[-2:] == ["campaign: version 1 (unchanged)", "complaint: version 1 (unchanged)"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(out.read_text(encoding="utf-8").replace("rule: customer", "rule: nobody"), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("objects", "import", str(bad))
    assert exc.value.code == 1
    assert capsys.readouterr().out.strip().startswith(f"{bad}:")


def test_the_scheduler_pass_escalates_an_overdue_complaint_without_a_command(world):
    """Escalation needs no one to run `objects escalate`: the scheduler's pass (core.periodic) queues it for the worker
    once the complaint is past due, and a second pass changes nothing."""
    from brokercrm.core.periodic import periodic_run

    complaint = ObjectType.objects.get(code="complaint")
    bm = world["users"]["branch_manager"]
    record = services.record_create(actor=world["users"]["broker"], object_type=complaint, raw=complaint_values())
    task_decide(actor=bm, task=inbox_tasks(user=bm)[0], approved=True)

    assert not any(n.startswith("overdue records") for n in periodic_run(dt.datetime(2026, 6, 8, 9, 0)))
    assert "overdue records: escalation queued for 1 overdue record(s)" in periodic_run(dt.datetime(2026, 6, 9, 9, 0))
    record.refresh_from_db()
    assert record.escalated and [t.escalated for t in inbox_tasks(user=bm)] == [True]
    assert not any(n.startswith("overdue records") for n in periodic_run(dt.datetime(2026, 6, 9, 9, 5)))
