"""The shelf's import/export, the recommendation refusal path and the API answers, within scope."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from brokercrm.core.errors import InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.customers.facade import customer_ref_by_id
from brokercrm.products import services
from brokercrm.products.models import Product, Recommendation
from brokercrm.products.selectors import customer_product_fits, customer_product_panel
from brokercrm.products.tests.factories import ProductFactory
from brokercrm.servicing.models import OutboxMessage

pytestmark = pytest.mark.django_db
HEADER = "market,security_code,name,product_type,risk_level,min_subscription,status\n"


def test_import_creates_and_updates_and_export_writes_the_same_columns(shelf, tmp_path):
    """A good file upserts by (market, code); the export lists the shelf in the import's columns, byte for byte."""
    path = tmp_path / "products.csv"
    path.write_text(HEADER + "OF,000001,稳健债券基金A,fund,R3,1000.00,on_sale\nOF,900001,安心理财1号,wealth,R2,50000,off_sale\n",
                    encoding="utf-8")
    out = io.StringIO()

    call_command("products", "import", str(path), stdout=out)
    call_command("products", "export", "--out", str(tmp_path / "out.csv"), stdout=io.StringIO())

    assert out.getvalue().strip() == "products: 1 created, 1 updated"
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == (
        HEADER + "OF,000001,稳健债券基金A,fund,R3,1000.00,on_sale\nOF,000004,科技成长混合,fund,R4,0.00,on_sale\n"
                 "OF,900001,安心理财1号,wealth,R2,50000.00,off_sale\n")
    assert AuditEntry.objects.filter(object_type="products.product", action="import").count() == 2


def test_a_bad_import_names_every_problem_and_changes_nothing(shelf):
    """All or nothing: each bad field is reported as FILE:LINE:COLUMN: message."""
    data = (HEADER + "OF,000001,稳健债券基金A,fund,R3,1000.00,on_sale\nXX,1,x,gold,R9,-1,sold\nOF,000001,again,fund,R1,,on_sale\n").encode()

    with pytest.raises(InputRejected) as exc, translation.override("en"):
        services.product_import(actor=None, data=data, file_name="p.csv")

    assert [str(p) for p in exc.value.problems] == [
        "p.csv:3:market: 'XX' is not one of SH, SZ, BJ, OF",
        "p.csv:3:product_type: 'gold' is not one of stock, fund, bond, repo, wealth",
        "p.csv:3:risk_level: 'R9' is not one of R1, R2, R3, R4, R5",
        "p.csv:3:status: 'sold' is not one of on_sale, off_sale",
        "p.csv:3:min_subscription: '-1' is not an amount ≥ 0 with at most 2 decimals",
        "p.csv:4:security_code: OF.000001 appears twice in the file",
    ]
    assert Product.objects.get(security_code="000001").name == "稳健债券基金"


def test_recommending_an_r4_fund_to_a_c3_customer_is_refused_audited_and_never_sent(shelf, client):
    """POST /api/recommendations answers 422 with risk_above_tolerance; nothing is queued, the attempt is in the audit log."""
    client.force_login(shelf["users"]["broker"])

    response = client.post("/api/recommendations", {"customer_no": "1001", "market": "OF", "security_code": "000004", "channel": "sms"},
                           content_type="application/json")

    assert response.status_code == 422
    assert response.json()["reasons"] == ["risk_above_tolerance"]
    assert not OutboxMessage.objects.exists() and not Recommendation.objects.exists()
    assert AuditEntry.objects.get(note="recommendation refused").changes == {"refused": ["risk_above_tolerance"]}


def test_a_suitable_recommendation_is_recorded_and_queued_in_the_outbox(shelf, client):
    """201: who, when and the channel are recorded; the message waits in the outbox."""
    client.force_login(shelf["users"]["broker"])

    response = client.post("/api/recommendations", {"customer_no": "1001", "market": "OF", "security_code": "000001", "channel": "email"},
                           content_type="application/json")

    assert response.status_code == 201
    rec = Recommendation.objects.get()
    assert (rec.customer.customer_no, rec.channel, rec.recommended_by.username) == ("1001", "email", "broker")
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.customer_id) == ("email", "zsf@example.com", rec.customer_id)


def test_the_suitability_answer_lists_every_product_with_its_reasons_and_hides_other_scopes(shelf, client):
    """GET /api/customers/{no}/products: R2 suits the C3 customer, R4 does not; another broker's customer is a 404."""
    client.force_login(shelf["users"]["broker"])

    body = client.get("/api/customers/1001/products").json()

    assert body == {"results": [
        {"market": "OF", "security_code": "000001", "name": "稳健债券基金", "risk_level": "R2", "suitable": True, "reasons": []},
        {"market": "OF", "security_code": "000004", "name": "科技成长混合", "risk_level": "R4", "suitable": False,
         "reasons": ["risk_above_tolerance"]}]}
    assert client.get("/api/customers/2001/products").status_code == 404
    assert client.post("/api/recommendations", {"customer_no": "2001", "market": "OF", "security_code": "000001", "channel": "sms"},
                       content_type="application/json").status_code == 404


def test_a_risk_level_change_is_audited(shelf):
    """Head office corrects a risk level; the audit log holds old and new."""
    product = shelf["products"]["r2"]

    services.product_update(actor=shelf["users"]["head_office"], product=product, data={"risk_level": "R3", "min_subscription": Decimal("1000")})

    assert AuditEntry.objects.get(object_type="products.product", action="update").changes["risk_level"] == ["R2", "R3"]


def test_the_360_panel_shows_suitable_products_and_why_the_others_are_not(shelf, client):
    """The panel names the reason in Chinese."""
    client.force_login(shelf["users"]["broker"])

    html = client.get("/customers/1001/").content.decode()

    panel = html.split('data-testid="suitable-products"')[1]
    assert "稳健债券基金" in panel.split('data-testid="unsuitable-table"')[0]
    assert "科技成长混合" in panel.split('data-testid="unsuitable-table"')[1]
    assert 'data-reason="risk_above_tolerance"' in panel


def test_the_sync_adds_new_securities_and_follows_a_changed_delivered_risk_level_only(db):
    """A head-office correction survives a load that delivers the same level; a newly delivered level replaces it, audited."""
    from brokercrm.datacenter.facade import SecurityRow

    row = SecurityRow("OF", "WM0001", "安心理财1号", "wealth", None, "R2")
    assert services.product_sync(securities=[row, SecurityRow("SH", "204001", "GC001", "repo", None, None)]) == services.SyncResult(1, 0)
    product = Product.objects.get()
    product.risk_level = "R3"  # head office's correction
    product.save()

    unchanged = services.product_sync(securities=[row])
    kept = Product.objects.get().risk_level
    changed = services.product_sync(securities=[SecurityRow("OF", "WM0001", "安心理财1号", "wealth", None, "R4")])

    assert (unchanged, kept, changed) == (services.SyncResult(0, 0), "R3", services.SyncResult(0, 1))
    assert Product.objects.get().risk_level == "R4"
    assert AuditEntry.objects.filter(object_type="products.product", action="update").get().changes["risk_level"] == ["R3", "R4"]


def test_the_product_list_api_filters_and_pages(shelf, client):
    """GET /api/products?risk_level=R4 lists the R4 fund; limit/offset page through the shelf."""
    client.force_login(shelf["users"]["broker"])

    r4 = client.get("/api/products?risk_level=R4").json()
    second = client.get("/api/products?limit=1&offset=1").json()

    assert [p["security_code"] for p in r4] == ["000004"]
    assert [p["security_code"] for p in second] == ["000004"]
    assert client.get("/api/products?limit=0").status_code == 400


def test_the_360_panel_counts_and_lists_what_judging_every_product_gives(shelf):
    """Given a shelf of stocks, funds and wealth products with several sets of terms (risk, minimum, off sale, sale window),
    the panel's first rows and counts of suitable and unsuitable products equal those of every product judged one by one,
    for a table longer and shorter than the shelf."""
    for i in range(7):
        ProductFactory(market="SH", security_code=f"6000{i:02d}", product_type="stock", risk_level="R3" if i % 2 else "R4")
        ProductFactory(market="WM", security_code=f"WM{i:03d}", product_type="wealth", risk_level="R2",
                       min_subscription=Decimal("50000.00") * i, status="off_sale" if i == 3 else "on_sale",
                       sale_end=dt.date(2025, 1, 1) if i == 5 else None)
    customer = customer_ref_by_id(customer_id=shelf["customers"]["c3"].id)
    on = dt.date(2026, 3, 31)
    fits = customer_product_fits(customer=customer, on=on)
    suitable, unsuitable = [f for f in fits if f.suitable], [f for f in fits if not f.suitable]

    for rows in (3, 100):
        panel = customer_product_panel(customer=customer, rows=rows, on=on)

        assert (list(panel.suitable), panel.suitable_count) == (suitable[:rows], len(suitable))
        assert (list(panel.unsuitable), panel.unsuitable_count) == (unsuitable[:rows], len(unsuitable))
    assert len(suitable) == 7 and len(unsuitable) == 9
