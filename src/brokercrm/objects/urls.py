from django.urls import path

from brokercrm.objects import views

app_name = "objects"
urlpatterns = [
    path("", views.index, name="index"),
    path("types/", views.type_list_page, name="type_list"),
    path("types/<slug:code>/", views.type_detail_page, name="type_detail"),
    path("types/<slug:code>/layouts/", views.type_layouts_page, name="type_layouts"),
    path("types/<slug:code>/export.yaml", views.type_export, name="type_export"),
    path("<slug:type_code>/", views.record_list_page, name="list"),
    path("<slug:type_code>/new/", views.record_create_page, name="create"),
    path("<slug:type_code>/export/", views.record_export, name="export"),
    path("<slug:type_code>/import/", views.record_import_page, name="import"),
    path("<slug:type_code>/<str:number>/", views.record_page, name="detail"),
    path("<slug:type_code>/<str:number>/edit/", views.record_edit_page, name="edit"),
    path("<slug:type_code>/<str:number>/state/", views.record_transition_page, name="transition"),
    path("<slug:type_code>/<str:number>/delete/", views.record_delete_page, name="delete"),
]
