from django.urls import path

from brokercrm.org import admin_views, views

app_name = "org"
urlpatterns = [
    path("", views.org_tree_page, name="tree"),
    path("staff/", views.staff_list_page, name="staff_list"),
    path("staff/new/", views.staff_create_page, name="staff_create"),
    path("staff/import/", views.staff_import_page, name="staff_import"),
    path("staff/<str:staff_no>/", views.staff_detail_page, name="staff_detail"),
    path("staff/<str:staff_no>/edit/", views.staff_edit_page, name="staff_edit"),
    path("staff/<str:staff_no>/leave/", views.staff_leave_page, name="staff_leave"),
    path("admin/users/", admin_views.user_list_page, name="users"),
    path("admin/users/<int:user_id>/", admin_views.user_detail_page, name="user_detail"),
    path("admin/roles/", admin_views.role_list_page, name="roles"),
    path("admin/roles/new/", admin_views.role_create_page, name="role_create"),
    path("admin/roles/<slug:code>/", admin_views.role_edit_page, name="role_edit"),
    path("admin/menus/", admin_views.menu_editor_page, name="menus"),
    path("admin/categories/", admin_views.staff_categories_page, name="categories"),
]
