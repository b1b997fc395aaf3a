from django.urls import path

from brokercrm.research import views

app_name = "research"
urlpatterns = [
    path("", views.library_page, name="library"),
    path("upload/", views.report_upload_page, name="upload"),
    path("<int:report_id>/", views.report_page, name="report"),
    path("<int:report_id>/file/", views.report_file_page, name="file"),
    path("<int:report_id>/push/", views.report_push_page, name="push"),
    path("open/<str:token>/", views.open_page, name="open"),
]
