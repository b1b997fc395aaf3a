import datetime as dt

import pytest

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.relations import services
from brokercrm.relations.intervals import first_overlap
from brokercrm.relations.models import Relation

D = dt.date
HEADER = "customer_no,staff_no,relation_type,start_date,end_date\n"

# Every shape two half-open intervals can take against [2024-03-01, 2024-06-01): (start, end, overlaps?)
SHAPES = [
    (D(2024, 1, 1), D(2024, 3, 1), False),   # ends the day the other starts: touching, allowed
    (D(2024, 6, 1), D(2024, 9, 1), False),   # starts the day the other ends
    (D(2024, 1, 1), D(2024, 3, 2), True),    # overlaps the start by one day
    (D(2024, 5, 31), D(2024, 9, 1), True),   # overlaps the end by one day
    (D(2024, 4, 1), D(2024, 5, 1), True),    # inside
    (D(2024, 1, 1), D(2024, 9, 1), True),    # around
    (D(2024, 3, 1), D(2024, 6, 1), True),    # identical
    (D(2024, 1, 1), None, True),             # open-ended from before
    (D(2024, 7, 1), None, False),            # open-ended after
    (D(2024, 5, 1), None, True),             # open-ended from inside
]


@pytest.mark.parametrize("start,end,clash", SHAPES)
def test_first_overlap_on_every_shape(start, end, clash):
    """Half-open intervals overlap exactly when each starts before the other ends."""
    assert (first_overlap([(D(2024, 3, 1), D(2024, 6, 1), "a"), (start, end, "b")]) is not None) is clash


@pytest.mark.django_db
@pytest.mark.parametrize("start,end,clash", SHAPES)
def test_relation_add_refuses_every_overlapping_development_shape(org_world, start, end, clash):
    """The service keeps at most one development relation per customer per day, whatever the shape."""
    customer = CustomerFactory(branch=org_world["branches"][0])
    s = org_world["staff"]
    services.relation_add(actor=None, customer=customer, staff=s["broker"], relation_type="development",
                          start_date=D(2024, 3, 1), end_date=D(2024, 6, 1))
    if clash:
        with pytest.raises(DomainError, match="at most one development relation per day"):
            services.relation_add(actor=None, customer=customer, staff=s["colleague"], relation_type="development", start_date=start, end_date=end)
        assert Relation.objects.count() == 1
    else:
        services.relation_add(actor=None, customer=customer, staff=s["colleague"], relation_type="development", start_date=start, end_date=end)
        assert Relation.objects.count() == 2


@pytest.mark.django_db
def test_service_relations_may_overlap_development_ones(org_world):
    """Service relations give access, not attribution: several may run at once."""
    customer = CustomerFactory(branch=org_world["branches"][0])
    s = org_world["staff"]
    services.relation_add(actor=None, customer=customer, staff=s["broker"], relation_type="development", start_date=D(2024, 1, 2))
    services.relation_add(actor=None, customer=customer, staff=s["colleague"], relation_type="service", start_date=D(2024, 1, 2))
    services.relation_add(actor=None, customer=customer, staff=s["leader"], relation_type="service", start_date=D(2024, 2, 1))
    assert Relation.objects.count() == 3


@pytest.mark.django_db
def test_import_creates_ends_and_ignores_equal_rows_then_exports_in_order(org_world, tmp_path):
    """Equal rows are no-ops, a stored open relation with an end_date is ended, new rows are created; the export is sorted."""
    c1 = CustomerFactory(customer_no="10000002", branch=org_world["branches"][0])
    c2 = CustomerFactory(customer_no="10000001", branch=org_world["branches"][0])
    first = HEADER + "10000002,S0003,development,2024-01-02,\n10000001,S0004,service,2024-01-02,\n"
    services.relation_import(actor=None, data=first.encode(), file_name="relations.csv")
    second = (HEADER + "10000001,S0004,service,2024-01-02,\n"
              "10000002,S0003,development,2024-01-02,2024-06-03\n"
              "10000002,S0004,development,2024-06-03,\n")

    result = services.relation_import(actor=None, data=second.encode(), file_name="relations.csv")

    assert (result.created, result.ended, result.unchanged) == (1, 1, 1)
    assert services.relation_export_rows() == [
        ["10000001", "S0004", "service", "2024-01-02", ""],
        ["10000002", "S0003", "development", "2024-01-02", "2024-06-03"],
        ["10000002", "S0004", "development", "2024-06-03", ""],
    ]
    assert c1.relations.count() == 2 and c2.relations.count() == 1


@pytest.mark.django_db
def test_import_refuses_overlaps_with_stored_relations_and_within_the_file(org_world):
    """An imported development relation overlapping a stored one or another row is an error; nothing is stored."""
    CustomerFactory(customer_no="10000001", branch=org_world["branches"][0])
    CustomerFactory(customer_no="10000002", branch=org_world["branches"][0])
    services.relation_import(actor=None, data=(HEADER + "10000001,S0003,development,2024-01-02,\n").encode(), file_name="r.csv")
    bad = (HEADER + "10000001,S0004,development,2024-05-06,\n"
           "10000002,S0003,development,2024-01-02,2024-03-01\n"
           "10000002,S0004,development,2024-02-01,\n")

    with pytest.raises(InputRejected) as exc:
        services.relation_import(actor=None, data=bad.encode(), file_name="r.csv")

    assert [str(p) for p in exc.value.problems] == [
        "r.csv:2:start_date: development relations of customer 10000001 overlap (stored relation with S0003 from 2024-01-02); at most one per day",
        "r.csv:4:start_date: development relations of customer 10000002 overlap (line 3); at most one per day",
    ]
    assert Relation.objects.count() == 1


@pytest.mark.django_db
def test_import_reports_unknown_references_and_bad_values(org_world):
    """Unknown customers/staff, bad types and dates are reported with line and column."""
    CustomerFactory(customer_no="10000001", branch=org_world["branches"][0], open_date=D(2024, 1, 2))
    bad = (HEADER + "19999999,S0003,development,2024-01-02,\n"
           "10000001,S9999,service,2024-01-02,\n"
           "10000001,S0003,friendship,2024-01-02,\n"
           "10000001,S0003,service,2023-12-29,\n"
           "10000001,S0003,service,2024-02-01,2024-01-01\n")

    with pytest.raises(InputRejected) as exc:
        services.relation_import(actor=None, data=bad.encode(), file_name="r.csv")

    assert [str(p) for p in exc.value.problems] == [
        "r.csv:2:customer_no: unknown customer_no '19999999' (load the deliveries first)",
        "r.csv:3:staff_no: unknown staff_no 'S9999' (import staff first)",
        "r.csv:4:relation_type: unknown relation_type 'friendship' (expected development or service)",
        "r.csv:5:start_date: start_date 2023-12-29 is before the customer's open_date 2024-01-02",
        "r.csv:6:end_date: end_date must be after start_date",
    ]


@pytest.mark.django_db
def test_import_cannot_reopen_or_move_the_end_of_an_ended_relation(org_world):
    """Only an open relation can be ended by import; changing a stored end is a conflict."""
    CustomerFactory(customer_no="10000001", branch=org_world["branches"][0])
    services.relation_import(actor=None, data=(HEADER + "10000001,S0003,service,2024-01-02,2024-03-01\n").encode(), file_name="r.csv")

    with pytest.raises(InputRejected, match="r.csv:2:end_date: conflicts with the stored relation ending 2024-03-01"):
        services.relation_import(actor=None, data=(HEADER + "10000001,S0003,service,2024-01-02,\n").encode(), file_name="r.csv")


@pytest.mark.django_db
def test_import_check_only_leaves_references_to_the_delivery_and_writes_nothing(org_world):
    """check_only (a load checking relations.csv before its days): an unknown customer or staff member may come with the
    delivery and passes; the file's own rules still refuse; nothing is stored either way."""
    rows = HEADER + "19999999,S9999,development,2024-01-02,\n19999999,S0003,development,2024-01-03,\n"
    assert services.relation_import(actor=None, data=(HEADER + "19999999,S9999,service,2024-01-02,\n").encode(),
                                    file_name="r.csv", check_only=True) is None

    with pytest.raises(InputRejected) as exc:
        services.relation_import(actor=None, data=rows.encode(), file_name="r.csv", check_only=True)

    assert [str(p) for p in exc.value.problems] == [
        "r.csv:3:start_date: development relations of customer 19999999 overlap (line 2); at most one per day"]
    assert Relation.objects.count() == 0


@pytest.mark.django_db
def test_imported_relations_are_audited_with_their_own_label_in_a_fixed_number_of_queries(org_world, django_assert_max_num_queries):
    """Each created relation gets one audit entry labelled as str(relation) says; the labels cost no query per relation
    (the import of 40 relations runs in fewer queries than relations)."""
    for i in range(40):
        CustomerFactory(customer_no=f"1000{i:04d}", branch=org_world["branches"][0], open_date=D(2024, 1, 2))
    data = HEADER + "".join(f"1000{i:04d},S0003,service,2024-01-02,\n" for i in range(40))

    with django_assert_max_num_queries(39):
        services.relation_import(actor=None, data=data.encode(), file_name="r.csv")

    labels = dict(AuditEntry.objects.filter(object_type="relations.relation").values_list("object_id", "object_repr"))
    assert labels == {str(r.pk): str(r) for r in Relation.objects.select_related("customer", "staff")}
    assert len(labels) == 40
