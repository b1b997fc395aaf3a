from django.urls import path

from brokercrm.org import views

app_name = "org"
urlpatterns = [
    path("", views.org_tree_page, name="tree"),
    path("staff/", views.staff_list_page, name="staff_list"),
    path("staff/new/", views.staff_create_page, name="staff_create"),
    path("staff/import/", views.staff_import_page, name="staff_import"),
    path("staff/<str:staff_no>/", views.staff_detail_page, name="staff_detail"),
    path("staff/<str:staff_no>/edit/", views.staff_edit_page, name="staff_edit"),
    path("staff/<str:staff_no>/leave/", views.staff_leave_page, name="staff_leave"),
]
