from django.urls import include, path

from config.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("brokercrm.core.urls")),
    path("org/", include("brokercrm.org.urls")),
    path("datacenter/", include("brokercrm.datacenter.urls")),
]
