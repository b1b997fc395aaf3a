from django.urls import include, path

from brokercrm.reports.views import home_page
from config.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", home_page, name="home"),  # the role dashboard (reports), with the menu's sections below it
    path("", include("brokercrm.core.urls")),
    path("accounts/", include("brokercrm.org.account_urls")),
    path("org/", include("brokercrm.org.urls")),
    path("datacenter/", include("brokercrm.datacenter.urls")),
    path("customers/", include("brokercrm.customers.urls")),
    path("relations/", include("brokercrm.relations.urls")),
    path("analytics/", include("brokercrm.analytics.urls")),
    path("service/", include("brokercrm.servicing.urls")),
    path("evaluation/", include("brokercrm.evaluation.urls")),
    path("compensation/", include("brokercrm.compensation.urls")),
    path("products/", include("brokercrm.products.urls")),
    path("research/", include("brokercrm.research.urls")),
    path("reports/", include("brokercrm.reports.urls")),
    path("objects/", include("brokercrm.objects.urls")),
    path("platform/", include("brokercrm.platform.urls")),
    path("workflow/", include("brokercrm.platform.workflow.urls")),
]
