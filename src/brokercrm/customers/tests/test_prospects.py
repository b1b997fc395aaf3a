import datetime as dt

import pytest

from brokercrm.core.errors import InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.customers import prospect_services as services
from brokercrm.customers.models import Customer, Prospect, ProspectNote
from brokercrm.customers.prospect_selectors import prospect_duplicates, prospect_list
from brokercrm.customers.services import customer_sync
from brokercrm.customers.tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def sync_row(**overrides) -> dict:
    row = {"customer_no": "30000001", "name": "周八", "customer_type": "individual", "id_type": "id_card",
           "id_no": "44010119900101777x", "gender": "M", "birth_date": None, "mobile": "13500007777", "email": None,
           "address": None, "branch_code": "0001", "open_date": dt.date(2026, 3, 3), "close_date": None, "status": "normal",
           "risk_level": None, "risk_assessed_on": None}
    return row | overrides


def test_create_normalises_keys_and_refuses_a_person_who_already_holds_an_account(book):
    """Mobile and ID are normalised on entry; a prospect with an existing customer's mobile is refused naming the field."""
    broker, b1 = book["users"]["broker"], book["branches"][0]
    p = services.prospect_create(actor=broker, name="周八", branch=b1, mobile="135-0000-7777", id_no="44010119900101777x",
                                 staff=book["staff"]["broker"])
    assert (p.mobile, p.mobile_last4, p.id_no, p.id_no_last4) == ("13500007777", "7777", "44010119900101777X", "777X")
    with pytest.raises(InputRejected) as exc:
        services.prospect_create(actor=broker, name="又一个", branch=b1, mobile="138 1234 5678")
    assert [(pr.field, pr.message) for pr in exc.value.problems] == [
        ("mobile", "this person already holds an account: search the customer base instead")]
    assert AuditEntry.objects.filter(object_type="customers.prospect", action="create").count() == 1


def test_a_load_that_opens_the_account_converts_the_prospect_keeping_its_history(book):
    """customer_sync with a new account of the same ID number converts the prospect: linked, dated, notes and values kept."""
    from brokercrm.platform.services import custom_field_create

    admin, broker = book["users"]["admin"], book["users"]["broker"]
    custom_field_create(actor=admin, entity="prospect", key="referrer", label="推荐人", field_type="text")
    custom_field_create(actor=admin, entity="customer", key="referrer", label="推荐人", field_type="text")
    p = services.prospect_create(actor=broker, name="周八", branch=book["branches"][0], id_no="44010119900101777X",
                                 staff=book["staff"]["broker"], custom_fields={"referrer": "张三丰"})
    services.prospect_note_add(actor=broker, prospect=p, text="约了周三面谈")
    other = ProspectFactory(branch=book["branches"][0], mobile="13500009999", mobile_last4="9999", id_no="")

    result = customer_sync(rows=[sync_row()], business_date=dt.date(2026, 3, 3))

    p.refresh_from_db()
    customer = Customer.objects.get(customer_no="30000001")
    assert (result.created, result.prospects_converted) == (1, 1)
    assert (p.status, p.converted_customer, p.converted_on) == ("converted", customer, dt.date(2026, 3, 3))
    assert list(p.notes.values_list("text", flat=True)) == ["约了周三面谈"]
    assert customer.custom_fields == {"referrer": "张三丰"}
    other.refresh_from_db()
    assert other.status == "new"
    assert Prospect.objects.count() == 2 and Customer.objects.filter(id_no="44010119900101777X").count() == 1


def test_conversion_by_mobile_and_not_twice(book):
    """A prospect known only by mobile converts on a new account with that mobile; a later update of the account changes nothing."""
    p = ProspectFactory(branch=book["branches"][0], mobile="13500007777", mobile_last4="7777", id_no="")
    customer_sync(rows=[sync_row(id_no="110101200001011111")], business_date=dt.date(2026, 3, 3))
    customer_sync(rows=[sync_row(id_no="110101200001011111", name="周八八")], business_date=dt.date(2026, 3, 4))
    p.refresh_from_db()
    assert (p.status, p.converted_on) == ("converted", dt.date(2026, 3, 3))


def test_merge_loses_nothing(book):
    """Merging keeps the survivor's values, fills its gaps, moves notes, records differing values and keeps the other as merged."""
    broker, b1 = book["users"]["broker"], book["branches"][0]
    keep = ProspectFactory(name="吴九", branch=b1, mobile="13500001234", mobile_last4="1234", id_no="", email="",
                           custom_fields={"level": "A"})
    dup = ProspectFactory(name="吴玖", branch=b1, mobile="13500001234", mobile_last4="1234", id_no="44010119900101888X",
                          email="wu@example.com", custom_fields={"level": "B", "hobby": "钓鱼"}, staff=book["staff"]["broker"])
    ProspectNote.objects.create(prospect=dup, text="第一次电话", author_label="broker")

    assert [[p.pk for p in g] for g in prospect_duplicates(user=book["users"]["admin"])] == [[keep.pk, dup.pk]]
    services.prospect_merge(actor=broker, survivor=keep, others=[dup])

    keep.refresh_from_db()
    dup.refresh_from_db()
    assert (keep.id_no, keep.id_no_last4, keep.email, keep.staff) == ("44010119900101888X", "888X", "wu@example.com", book["staff"]["broker"])
    assert keep.custom_fields == {"level": "A", "hobby": "钓鱼"}
    notes = list(keep.notes.order_by("id").values_list("text", flat=True))
    assert notes[0] == "第一次电话"
    assert notes[1] == f"Merged from P{dup.pk} 吴玖. Values that differed: name: 吴玖; level: B"
    assert (dup.status, dup.merged_into) == ("merged", keep)
    assert prospect_duplicates(user=book["users"]["admin"]) == []


IMPORT_HEADER = "name,mobile,id_type,id_no,email,branch_code,staff_no,source,grade\n"


def test_import_is_all_or_nothing_with_file_line_column(book):
    """A file with a bad branch, a bad custom value and a repeated mobile is refused whole, each problem at FILE:LINE:COLUMN."""
    from brokercrm.platform.services import custom_field_create

    custom_field_create(actor=book["users"]["admin"], entity="prospect", key="grade", label="等级", field_type="choice",
                        choices=["A", "B"])
    bad = (IMPORT_HEADER + "甲,13500000001,,,,0001,S0003,展会,A\n"
           "乙,13500000002,,,,9999,,展会,A\n"
           "丙,13500000001,,,,0001,,,Z\n").encode()
    with pytest.raises(InputRejected) as exc:
        services.prospect_import(actor=book["users"]["admin"], data=bad, file_name="prospects.csv")
    assert [str(p) for p in exc.value.problems] == [
        "prospects.csv:3:branch_code: unknown branch '9999'",
        "prospects.csv:4:mobile: same mobile as line 2",
        "prospects.csv:4:grade: 'Z' is not one of: A, B",
    ]
    assert Prospect.objects.count() == 0

    good = (IMPORT_HEADER + "甲,13500000001,,,,0001,S0003,展会,A\n乙,13500000002,id_card,440101199001010001,,0002,,,\n").encode()
    assert services.prospect_import(actor=book["users"]["admin"], data=good, file_name="prospects.csv").created == 2
    assert sorted(Prospect.objects.values_list("name", "staff__staff_no", "custom_fields")) == [("乙", None, {}), ("甲", "S0003", {"grade": "A"})]


def test_prospect_scope_and_404(client, book):
    """A broker sees prospects assigned to them or entered by them; another's prospect page answers 404."""
    b1, b2 = book["branches"]
    mine = ProspectFactory(branch=b1, staff=book["staff"]["broker"])
    theirs = ProspectFactory(branch=b2, staff=book["staff"]["other"])
    entered = ProspectFactory(branch=b1, created_by=book["users"]["broker"])
    assert set(prospect_list(user=book["users"]["broker"])) == {mine, entered}
    assert set(prospect_list(user=book["users"]["branch_manager"])) == {mine, entered}
    client.force_login(book["users"]["broker"])
    assert client.get(f"/customers/prospects/{theirs.pk}/").status_code == 404
    assert client.get(f"/customers/prospects/{mine.pk}/").status_code == 200


def test_prospect_pages_create_note_assign_and_status(client, book):
    """Through the pages: create, add a follow-up note (status becomes following), then mark it lost."""
    client.force_login(book["users"]["broker"])
    response = client.post("/customers/prospects/new/", {"name": "郑十", "mobile": "13500004321", "branch": "0001", "staff": "S0003"})
    p = Prospect.objects.get(name="郑十")
    assert response.status_code == 302 and p.staff == book["staff"]["broker"]
    client.post(f"/customers/prospects/{p.pk}/", {"text": "有意向, 下周再联系", "next_contact_on": "2026-03-10"})
    p.refresh_from_db()
    assert p.status == "following" and p.notes.get().next_contact_on == dt.date(2026, 3, 10)
    client.post(f"/customers/prospects/{p.pk}/edit/", {"name": "郑十", "mobile": "13500004321", "branch": "0001", "staff": "S0003",
                                                        "status": "lost"})
    p.refresh_from_db()
    assert p.status == "lost"
    assert "432" not in client.get("/customers/prospects/").content.decode().replace("4321", "")


def test_prospect_list_filters_by_a_custom_field_and_exports_within_scope(client, book):
    """The prospect list filters by a custom choice field; its CSV export holds only the broker's prospects, masked, audited."""
    from brokercrm.platform.services import custom_field_create

    custom_field_create(actor=book["users"]["admin"], entity="prospect", key="grade", label="等级", field_type="choice", choices=["A", "B"])
    b1, b2 = book["branches"]
    a = ProspectFactory(branch=b1, staff=book["staff"]["broker"], name="甲", mobile="13500000001", custom_fields={"grade": "A"})
    ProspectFactory(branch=b1, staff=book["staff"]["broker"], name="乙", custom_fields={"grade": "B"})
    ProspectFactory(branch=b2, staff=book["staff"]["other"], name="丙", custom_fields={"grade": "A"})
    client.force_login(book["users"]["broker"])
    html = client.get("/customers/prospects/", {"cf_grade": "A"}).content.decode()
    assert f'href="/customers/prospects/{a.pk}/"' in html and "乙" not in html and "丙" not in html
    lines = b"".join(client.get("/customers/prospects/export.csv", {"cf_grade": "A"}).streaming_content).decode().splitlines()
    assert lines[0] == "id,name,mobile,id_no,branch_code,staff_no,source,status,converted_customer_no,created_at,grade"
    assert [line.split(",")[:3] for line in lines[1:]] == [[str(a.pk), "甲", "135****0001"]]
    assert AuditEntry.objects.get(action="export").object_type == "customers.prospect"
