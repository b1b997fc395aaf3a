from django.contrib.auth import views as auth_views
from django.urls import path

from brokercrm.core import views

urlpatterns = [
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log_page, name="audit_log"),
    path("healthz", views.health, name="health"),
]
