from django.urls import path

from brokercrm.datacenter import views

app_name = "datacenter"
urlpatterns = [
    path("", views.console_page, name="console"),
    path("runs/", views.runs_fragment, name="runs"),
    path("runs/<int:run_id>/", views.run_detail_page, name="run_detail"),
    path("runs/<int:run_id>/cancel/", views.run_cancel, name="run_cancel"),
    path("etl/", views.etl_request, name="etl_request"),
    path("schedules/", views.schedules_page, name="schedules"),
    path("sources/", views.sources_page, name="sources"),
    path("calendar/", views.calendar_page, name="calendar"),
]
