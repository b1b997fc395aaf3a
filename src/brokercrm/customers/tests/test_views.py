import datetime as dt
import io
from decimal import Decimal

import pytest

from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import published_snapshot

pytestmark = pytest.mark.django_db


def client_for(client, book, who: str):
    client.force_login(book["users"][who])
    return client


def test_list_shows_only_customers_in_scope_with_personal_data_masked(client, book):
    """The broker's list holds their two customers; mobiles and ID numbers appear masked, never in full."""
    html = client_for(client, book, "broker").get("/customers/").content.decode()
    assert 'data-customer="1001"' in html and 'data-customer="2001"' in html
    assert 'data-customer="1002"' not in html and 'data-customer="10031"' not in html
    assert "138****5678" in html and "13812345678" not in html
    assert "310***********1234" in html and "310101199001011234" not in html


def test_htmx_search_returns_the_rows_fragment(client, book):
    """An htmx request with q=5678 answers only the rows fragment, filtered within scope."""
    response = client_for(client, book, "broker").get("/customers/", {"q": "5678"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'data-customer="1001"' in html and 'data-customer="10031"' not in html


def test_customer_360_outside_scope_is_a_404(client, book):
    """A broker typing another branch's customer number gets 404, as does every sub-page of it."""
    c = client_for(client, book, "broker")
    assert c.get("/customers/10031/").status_code == 404
    assert c.post("/customers/10031/unmask/mobile/").status_code == 404
    assert c.get("/customers/10031/fields/").status_code == 404
    assert c.post("/customers/10031/tags/", {"tag": "x"}).status_code == 404


def test_360_shows_the_published_month_figures_and_facts(client, book, settings, tmp_path):
    """The 360 page shows the customer marts' numbers as published, with positions, trades, cash flows and transfers."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    published_snapshot(
        settings.WAREHOUSE_SNAPSHOT_DIR,
        months=[("1001", "2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31), 3, Decimal("100333.33"), Decimal("101000.00"),
                 Decimal("5000.00"), Decimal("20000.00"), 2, 1, Decimal("10.00"), Decimal("9.11"), Decimal("0.000500")),
                ("1002", "2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31), 3, Decimal("7.00"), Decimal("7.00"),
                 Decimal("0.00"), Decimal("0.00"), 0, 0, Decimal("0.00"), Decimal("0.00"), None)],
        assets=[(dt.date(2026, 3, 2), "1001", Decimal("1000.00"), Decimal("99000.00"), Decimal("100000.00")),
                (dt.date(2026, 3, 3), "1001", Decimal("1000.00"), Decimal("100000.00"), Decimal("101000.00"))],
        positions=[(dt.date(2026, 3, 3), "1001", "SH", "600519", 50, Decimal("80000.00"), Decimal("1600.0000"), Decimal("80000.00")),
                   (dt.date(2026, 3, 3), "1001", "SZ", "000001", 2000, Decimal("19000.00"), Decimal("10.0000"), Decimal("20000.00"))],
        trades=[(dt.date(2026, 3, 3), "T9", "1001", "SH", "600519", "B", 10, Decimal("1600.0000"), Decimal("16000.00"),
                 Decimal("8.00"), "app")],
        cash_flows=[(dt.date(2026, 3, 2), "F1", "1001", "bank_in", Decimal("5000.00"), "ICBC")],
        transfers=[(dt.date(2026, 3, 2), "X1", "1001", "SZ", "000001", "in", 100, Decimal("1000.00"))],
    )
    html = client_for(client, book, "broker").get("/customers/1001/").content.decode()
    row = html.split('data-period="2026-03"')[1].split("</tr>")[0]
    for value in ("100333.33", "101000.00", "5000.00", "20000.00", "9.11", "0.000500"):
        assert f">{value}<" in row
    # the serial no. is not a column (a bare "T9" may occur in the random CSRF token, so look for a cell)
    assert "600519" in html and ">T9<" not in html and "16000.00" in html and "ICBC" in html
    assert 'data-testid="assets-composition"' in html and 'data-testid="assets-trend"' in html
    assert '"composition": [{"name": "cash", "value": "1000.00"}, {"name": "SH", "value": "80000.00"}, {"name": "SZ", "value": "20000.00"}]' in html
    assert "100000.00" in html.split('id="chart-data"')[1]


def test_360_without_published_facts_shows_empty_panels(client, book, settings, tmp_path):
    """With no snapshot at all the page still renders: empty indicator and fact panels, no error."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "nothing-published"
    response = client_for(client, book, "broker").get("/customers/1001/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="composition-empty"' in html and 'data-period=' not in html
    assert 'data-panel="segments"' in html and 'data-panel="service_history"' in html and 'data-panel="tasks"' in html


def test_360_shows_suitability_relations_and_change_history(client, book):
    """Suitability with questionnaire age and stale flag; relation history; branch/status/risk changes from the loads."""
    from brokercrm.customers.models import CustomerChange
    from brokercrm.customers.selectors import suitability

    c1 = book["customers"]["c1"]
    CustomerChange.objects.create(customer=c1, business_date=dt.date(2026, 3, 3), field="risk_level", old_value="C3", new_value="C4")
    html = client_for(client, book, "broker").get("/customers/1001/").content.decode()
    assert "2025-06-30" in html and "S0003" in html and ">C3<" in html
    fresh = suitability(customer=c1, as_of=dt.date(2027, 6, 29))
    stale = suitability(customer=c1, as_of=dt.date(2027, 6, 30))
    assert (fresh.stale, fresh.age_days, fresh.valid_until) == (False, 729, dt.date(2027, 6, 30))
    assert stale.stale is True
    assert suitability(customer=book["customers"]["c3"]).stale is True  # never assessed


def test_unmask_is_audited_and_refused_to_compliance(client, book):
    """A broker's unmask returns the number in clear and writes an audit entry; compliance (read-only) gets 403."""
    response = client_for(client, book, "broker").post("/customers/1001/unmask/mobile/")
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="unmask")
    assert (entry.actor_label, entry.object_type, entry.note) == ("broker", "customers.customer", "mobile")
    client.logout()
    assert client_for(client, book, "compliance").post("/customers/1001/unmask/id_no/").status_code == 403
    assert AuditEntry.objects.filter(action="unmask").count() == 1


def test_csv_export_is_scoped_masked_and_audited(client, book):
    """The CSV export holds the broker's filtered customers only, masked, and the export is in the audit log."""
    response = client_for(client, book, "broker").get("/customers/export.csv", {"q": "5678"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("customer_no,name,branch_code,status,risk_level,open_date,close_date,id_no,mobile,period")
    assert [line.split(",")[0] for line in lines[1:]] == ["1001", "2001"]
    assert "138****5678" in lines[1] and "13812345678" not in "".join(lines)
    entry = AuditEntry.objects.get(action="export")
    assert entry.object_type == "customers.customer" and entry.note == "csv · 2 rows · q=5678"


def test_excel_export_holds_the_same_rows(client, book):
    """The .xlsx export opens with openpyxl and holds the header and the scoped rows with custom field columns."""
    import openpyxl

    from brokercrm.customers.services import customer_custom_fields_set
    from brokercrm.platform.services import custom_field_create

    custom_field_create(actor=book["users"]["admin"], entity="customer", key="hobby", label="爱好", field_type="text")
    customer_custom_fields_set(actor=book["users"]["broker"], customer=book["customers"]["c4"], values={"hobby": "围棋"})
    response = client_for(client, book, "broker").get("/customers/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["customer_no", "name"] and rows[0][-1] == "hobby"
    assert [(r[0], r[1], r[8], r[-1]) for r in rows[1:]] == [("1001", "张三丰", "138****5678", None), ("2001", "王张三丰", "136****1111", "围棋")]
    assert AuditEntry.objects.get(action="export").note == "xlsx · 2 rows · "


def test_bulk_tag_tags_only_customers_in_scope(client, book):
    """Posting customer numbers including another broker's customer tags only the broker's own."""
    from brokercrm.customers.models import CustomerTag

    client_for(client, book, "broker").post("/customers/bulk-tag/", {"customer_no": ["1001", "2001", "10031"], "tag": "重点"})
    assert set(CustomerTag.objects.values_list("customer__customer_no", flat=True)) == {"1001", "2001"}


def test_saved_filter_keeps_a_query_for_its_owner_only(client, book):
    """A saved group reappears in its owner's list page with its query, and not in another user's."""
    client_for(client, book, "broker").post("/customers/groups/", {"name": "尾号5678", "query": "q=5678"})
    html = client.get("/customers/").content.decode()
    assert "尾号5678" in html and "?q=5678" in html
    client.logout()
    assert "尾号5678" not in client_for(client, book, "other_broker").get("/customers/").content.decode()


def test_custom_field_values_are_edited_and_shown_on_the_360_page(client, book):
    """A broker fills a customer's choice field; an invalid number is refused naming the field and nothing changes."""
    from brokercrm.platform.services import custom_field_create

    admin = book["users"]["admin"]
    custom_field_create(actor=admin, entity="customer", key="channel_pref", label="偏好渠道", field_type="choice", choices=["电话", "微信"])
    custom_field_create(actor=admin, entity="customer", key="children", label="子女数", field_type="number")
    c = client_for(client, book, "broker")
    bad = c.post("/customers/1001/fields/", {"cf_channel_pref": "微信", "cf_children": "two"})
    assert bad.status_code == 200 and "two" in bad.content.decode()
    book["customers"]["c1"].refresh_from_db()
    assert book["customers"]["c1"].custom_fields == {}
    c.post("/customers/1001/fields/", {"cf_channel_pref": "微信", "cf_children": "2"})
    book["customers"]["c1"].refresh_from_db()
    assert book["customers"]["c1"].custom_fields == {"channel_pref": "微信", "children": 2}
    assert "偏好渠道" in c.get("/customers/1001/").content.decode()


def test_list_page_and_api_query_counts_do_not_grow_with_the_rows(client, book):
    """The list page and the API search run the same number of queries for 4 customers as for 54 (no per-row queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from brokercrm.customers.services import customer_tag_add
    from brokercrm.customers.tests.factories import CustomerFactory

    c = client_for(client, book, "admin")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    c.get("/customers/")  # the process reads the roles, menus and layouts once (org.policy, customers.layouts)
    small = (count("/customers/"), count("/api/customers"))
    more = CustomerFactory.create_batch(50, branch=book["branches"][0])
    customer_tag_add(actor=book["users"]["admin"], customers=more, tag_name="批量")
    assert (count("/customers/"), count("/api/customers")) == small


def test_a_bad_filter_value_is_named_and_left_out(client, book):
    """A custom date bound that is not a date and a bad open date are reported by field; the other filters still apply."""
    from brokercrm.platform.services import custom_field_create

    custom_field_create(actor=book["users"]["admin"], entity="customer", key="met_on", label="首次面谈", field_type="date")
    html = client_for(client, book, "admin").get("/customers/", {"cf_met_on_min": "yesterday", "opened_from": "2023-13-01",
                                                                 "branch": "0002"}).content.decode()
    errors = html.split('data-testid="filter-errors">')[1].split("</div></div>")[0]
    assert "首次面谈 ≥: &#x27;yesterday&#x27; is not a date (YYYY-MM-DD)" in errors and "Opened from" in errors
    assert 'data-customer="10031"' in html and 'data-customer="1001"' not in html


@pytest.fixture
def planted(book):
    """Customer 1001 named `=HYPERLINK(…)`, tagged `=cmd|…`, with custom fields `@SUM(1+1)`, text "-12.50" and -12.50."""
    from brokercrm.customers.services import customer_custom_fields_set, customer_tag_add
    from brokercrm.platform.services import custom_field_create

    admin, broker, c1 = book["users"]["admin"], book["users"]["broker"], book["customers"]["c1"]
    c1.name = '=HYPERLINK("http://x","y")'
    c1.save(update_fields=["name"])
    customer_tag_add(actor=broker, customers=[c1], tag_name="=cmd|' /C calc'!A0")
    for key, kind in (("hobby", "text"), ("memo", "text"), ("balance", "decimal"), ("visits", "number")):
        custom_field_create(actor=admin, entity="customer", key=key, label=key, field_type=kind)
    customer_custom_fields_set(actor=broker, customer=c1, values={"hobby": "@SUM(1+1)", "memo": "-12.50",
                                                                   "balance": "-12.50", "visits": "-3"})
    return book


def test_csv_export_neutralises_planted_formulas_and_keeps_numbers(client, planted):
    """Given a name, a tag and a text field a spreadsheet would evaluate, the CSV cells start with `'`; the decimal
    field -12.50 and the number field -3 are written as numbers."""
    import csv

    response = client_for(client, planted, "broker").get("/customers/export.csv")
    rows = list(csv.DictReader(b"".join(response.streaming_content).decode().splitlines()))
    row = next(r for r in rows if r["customer_no"] == "1001")
    assert (row["name"], row["tags"], row["hobby"], row["memo"]) == (
        """'=HYPERLINK("http://x","y")""", "'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'-12.50")
    assert (row["balance"], row["visits"]) == ("-12.50", "-3")


def test_excel_export_holds_planted_formulas_as_text_and_numbers_as_numbers(client, planted):
    """Opened with openpyxl, the planted name, tag and fields are string cells with a leading `'` and no cell of the
    workbook is a formula; the decimal and number fields are number cells."""
    import openpyxl

    response = client_for(client, planted, "broker").get("/customers/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = {name: cell for name, cell in zip(header, next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "1001"))}
    assert [(row[k].value, row[k].data_type) for k in ("name", "tags", "hobby", "memo")] == [
        ("""'=HYPERLINK("http://x","y")""", "s"), ("'=cmd|' /C calc'!A0", "s"), ("'@SUM(1+1)", "s"), ("'-12.50", "s")]
    assert [(row[k].value, row[k].data_type) for k in ("balance", "visits")] == [(-12.5, "n"), (-3, "n")]
    assert not [c for r in sheet.iter_rows() for c in r if c.data_type == "f"]


def test_the_filter_fields_kept_rendered_show_a_new_tag_and_the_value_asked(client, book):
    """Given the list page rendered once (its filter fields kept), when a tag is created and the page is asked with a
    search, then the tag filter offers the new tag and the search box holds the new value."""
    c = client_for(client, book, "broker")
    tag_filter = lambda html: html.split('name="tag"')[1].split("</select>")[0]  # noqa: E731
    assert "重点" not in tag_filter(c.get("/customers/").content.decode())

    c.post("/customers/bulk-tag/", {"customer_no": ["1001"], "tag": "重点"})
    html = c.get("/customers/?q=1001").content.decode()

    assert '<option value="重点">重点</option>' in tag_filter(html)
    assert 'name="q" value="1001"' in html
