"""The product pages: list with filters, product page with the suitable-customer count, head office's edit, a campaign."""
import pytest

from brokercrm.core.models import AuditEntry
from brokercrm.products.models import Product, Recommendation
from brokercrm.servicing.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_risk_level_and_type(shelf, client):
    """risk=R4 lists only the R4 fund."""
    client.force_login(shelf["users"]["broker"])

    html = client.get("/products/?risk=R4&type=fund").content.decode()

    table = html.split('data-testid="product-table"')[1]
    assert "科技成长混合" in table and "稳健债券基金" not in table


def test_the_product_page_counts_suitable_customers_within_scope(shelf, client):
    """The R2 fund suits the broker's C3 customer; the C5 customer of the other branch is out of the broker's scope,
    in the head office's."""
    client.force_login(shelf["users"]["broker"])
    broker_html = client.get("/products/OF/000001/").content.decode()
    client.force_login(shelf["users"]["head_office"])
    head_office_html = client.get("/products/OF/000001/").content.decode()

    assert 'data-testid="suitable-count">1<' in broker_html and 'data-testid="product-form"' not in broker_html
    # 2001 has no assets figure; the R2 fund has no minimum, so both suit
    assert 'data-testid="suitable-count">2<' in head_office_html and 'data-testid="product-form"' in head_office_html


def test_head_office_takes_a_product_off_sale_and_it_is_audited(shelf, client):
    """The edit form saves through the service: the status changes and the audit log holds the change."""
    client.force_login(shelf["users"]["head_office"])

    response = client.post("/products/OF/000001/", {"name": "稳健债券基金", "product_type": "fund", "risk_level": "R2",
                                                    "min_subscription": "1000.00", "status": "off_sale", "issuer": "华夏基金"})

    assert response.status_code == 302
    assert Product.objects.get(security_code="000001").status == "off_sale"
    assert AuditEntry.objects.get(object_type="products.product", action="update").changes["status"] == ["on_sale", "off_sale"]


def test_a_broker_cannot_edit_a_product(shelf, client):
    """A broker's POST is refused (403) and changes nothing."""
    client.force_login(shelf["users"]["broker"])

    assert client.post("/products/OF/000001/", {"name": "改名", "product_type": "fund", "risk_level": "R5", "min_subscription": "0",
                                         "status": "on_sale"}).status_code == 403

    assert Product.objects.get(security_code="000001").risk_level == "R2"


def test_a_campaign_sends_to_the_suitable_customers_in_scope_only(shelf, client):
    """The broker's campaign for the R2 fund reaches the C3 customer (assets ≥ minimum), not branch 0002's customer."""
    client.force_login(shelf["users"]["broker"])

    client.post("/products/OF/000001/campaign/", {"channel": "sms", "assets_at_least_minimum": "on", "not_holding": "on"})

    rec = Recommendation.objects.get()
    assert (rec.customer.customer_no, rec.channel, rec.campaign.startswith("OF.000001:")) == ("1001", "sms", True)
    assert OutboxMessage.objects.get().customer_id == rec.customer_id
