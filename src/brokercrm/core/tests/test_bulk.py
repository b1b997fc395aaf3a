"""core.bulk: many rows in batches, JSON prepared per database."""
import pytest
from django.utils import timezone

from brokercrm.core.bulk import batches, delete_where_in, insert_instances, insert_rows, rows_where_in, update_rows
from brokercrm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_batches_cover_every_item_once_in_order():
    assert [list(b) for b in batches(list(range(7)), size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], size=3)) == []


def test_insert_rows_writes_plain_and_json_columns(django_assert_num_queries):
    """Given 3 rows with a JSON column, when inserted, then they read back equal (one executemany, no model instances)."""
    now = timezone.now()
    rows = [(now, "system", "create", "x.y", str(i), "", {"n": [None, i]}, "") for i in range(3)]

    with django_assert_num_queries(1):
        insert_rows(AuditEntry, ["at", "actor_label", "action", "object_type", "object_id", "object_repr", "changes", "note"], rows)

    assert list(AuditEntry.objects.order_by("object_id").values_list("object_id", "changes")) == [
        ("0", {"n": [None, 0]}), ("1", {"n": [None, 1]}), ("2", {"n": [None, 2]})]


def test_insert_instances_stores_what_save_would_including_the_creation_stamp(django_assert_num_queries):
    """Given 3 unsaved entries, when inserted, then they read back with their values, JSON and an `at` stamped at
    insertion (auto_now_add), in one query."""
    before = timezone.now()
    entries = [AuditEntry(actor_label="system", action="create", object_type="x.y", object_id=str(i), changes={"n": [None, i]})
               for i in range(3)]

    with django_assert_num_queries(1):
        insert_instances(AuditEntry, entries)

    stored = list(AuditEntry.objects.order_by("object_id").values_list("object_id", "changes", "note", "actor_id"))
    assert stored == [("0", {"n": [None, 0]}, "", None), ("1", {"n": [None, 1]}, "", None), ("2", {"n": [None, 2]}, "", None)]
    assert all(before <= at <= timezone.now() for at in AuditEntry.objects.values_list("at", flat=True))


def test_same_values_update_rows_and_reads_and_deletes_by_key(django_assert_num_queries):
    """Given 3 entries inserted with shared values (`same`), when two are updated by primary key, read by object_id and
    one deleted by object_id, then each step touches exactly its rows, in one statement each."""
    at = timezone.now()
    insert_rows(AuditEntry, ["object_id", "changes"], [(str(i), {"n": i}) for i in range(3)],
                same={"at": at, "actor_label": "system", "action": "create", "object_type": "x.y", "object_repr": "", "note": "import"})
    ids = dict(AuditEntry.objects.values_list("object_id", "id"))

    with django_assert_num_queries(1):
        update_rows(AuditEntry, ["note", "changes"], [("first", {"n": [0, 10]}, ids["0"]), ("second", {}, ids["1"])], same={"action": "update"})
    with django_assert_num_queries(1):
        found = rows_where_in(AuditEntry, ["object_id", "note", "action"], "object_id", ["1", "2", "9"])
    with django_assert_num_queries(1):
        delete_where_in(AuditEntry, "object_id", ["2"])

    assert sorted(found) == [("1", "second", "update"), ("2", "import", "create")]
    assert list(AuditEntry.objects.order_by("object_id").values_list("object_id", "note", "action", "changes", "at")) == [
        ("0", "first", "update", {"n": [0, 10]}, at), ("1", "second", "update", {}, at)]
