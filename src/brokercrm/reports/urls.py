from django.urls import path

from brokercrm.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("builder/", views.builder_page, name="builder"),
    path("campaigns/", views.campaign_list_page, name="campaigns"),
    path("campaigns/<str:number>/", views.campaign_effect_page, name="campaign_effect"),
    path("save/", views.report_save, name="save"),
    path("dashboards/", views.dashboard_settings, name="dashboards"),
    path("<int:report_id>/", views.builder_page, name="report"),
    path("<int:report_id>/pin/", views.report_pin, name="pin"),
    path("<int:report_id>/subscribe/", views.report_subscribe, name="subscribe"),
]
