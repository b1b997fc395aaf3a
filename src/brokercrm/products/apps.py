from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "brokercrm.products"
    label = "products"
    verbose_name = _("Products and research")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (Django's rule for AppConfig.ready).
        from brokercrm.customers.facade import register_panel
        from brokercrm.products import menus  # noqa: F401  (registers the menu entries)
        from brokercrm.products.contents import PRODUCT_RECOMMENDATION, product_recommendation, strategy_suitability
        from brokercrm.products.suitability import REASONS
        from brokercrm.products.views import suitable_products_panel
        from brokercrm.servicing.facade import register_content, register_suitability

        register_panel("products", _("Suitable products"), template="products/_panel.html", context=suitable_products_panel, order=30)
        register_content(PRODUCT_RECOMMENDATION, product_recommendation)
        register_suitability(strategy_suitability, labels=REASONS)
