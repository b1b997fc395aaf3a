"""The demo's product shelf: enriched, recommendations in flight, a refusal audited, a product-recommendation strategy
run; once."""
import pytest

from brokercrm.core.models import AuditEntry
from brokercrm.products.models import Product, Recommendation
from brokercrm.site.demo import ensure_demo_products

pytestmark = pytest.mark.django_db


def test_the_demo_enriches_the_shelf_and_recommends_once(shelf):
    """Given headoffice and broker, the demo enriches both funds (the last off sale), the broker's C3 customer gets the
    R2 fund and the R4 fund is refused; the branch's strategy recommending the R2 fund (the R4 is off sale) reaches the C3;
    a second run changes nothing."""
    head_office = shelf["users"]["head_office"]
    head_office.username = "headoffice"
    head_office.save(update_fields=["username"])

    first = ensure_demo_products()
    again = ensure_demo_products()

    assert first == ["products: 2 enriched (issuer, fees, minimum subscription; one off sale)",
                     "recommendations: 1 sent by broker, 1 refused as unsuitable (audited), 0 converted",
                     "strategy 稳健债券基金推荐（0001营业部） (R2): 1 SMS, 0 customers skipped as unsuitable (reasons on the "
                     "strategy's page and in its audit entry)"]
    assert again == []
    assert list(Product.objects.values_list("security_code", "issuer", "status")) == [
        ("000001", "华夏基金管理有限公司", "on_sale"), ("000004", "华夏基金管理有限公司", "off_sale")]
    assert list(Recommendation.objects.values_list("customer__customer_no", "product__security_code", "channel")) == [("1001", "000001", "sms")]
    assert AuditEntry.objects.filter(note="recommendation refused").count() == 1
