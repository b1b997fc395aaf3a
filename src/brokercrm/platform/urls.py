from django.urls import path

from brokercrm.platform import views

app_name = "platform"
urlpatterns = [
    path("custom-fields/", views.custom_field_list_page, name="custom_field_list"),
    path("custom-fields/new/", views.custom_field_edit_page, name="custom_field_create"),
    path("custom-fields/<int:pk>/", views.custom_field_edit_page, name="custom_field_edit"),
]
