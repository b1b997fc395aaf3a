from django.urls import path

from brokercrm.relations import views

app_name = "relations"
urlpatterns = [
    path("", views.relation_list_page, name="list"),
    path("apply/", views.apply_add_page, name="apply_add"),
    path("bulk-transfer/", views.bulk_transfer_page, name="bulk_transfer"),
    path("handover/", views.handover_page, name="handover"),
    path("<int:pk>/transfer/", views.apply_transfer_page, name="apply_transfer"),
    path("<int:pk>/terminate/", views.apply_terminate_page, name="apply_terminate"),
    path("customer/<str:customer_no>/", views.customer_relations_page, name="customer"),
    path("staff/<str:staff_no>/", views.staff_book_page, name="staff_book"),
]
