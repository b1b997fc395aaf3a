import factory

from brokercrm.products.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    market = "OF"
    security_code = factory.Sequence(lambda n: f"{510000 + n}")
    name = factory.Sequence(lambda n: f"稳健理财{n + 1}号")
    product_type = "fund"
    risk_level = "R2"
    status = "on_sale"
