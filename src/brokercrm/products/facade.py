"""What other apps may use of the product library: the product sales measure (evaluation, compensation) and the load
graph's step; plain values and dataclasses only. Like every facade it only re-exports."""
from brokercrm.products.jobs import products_step  # noqa: F401
from brokercrm.products.sales import PRODUCT_SALES_MEASURES, ProductSales, product_sales  # noqa: F401
from brokercrm.products.selectors import ProductFit, customer_product_fits, recommendations_exist  # noqa: F401,E402
from brokercrm.products.services import (  # noqa: F401,E402
    RecommendationRefused, product_edit, product_import, recommendation_conversions_refresh, recommendation_create,
)
from brokercrm.products.selectors import product_names_by_code  # noqa: F401,E402
