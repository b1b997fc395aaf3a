from django.urls import path

from brokercrm.customers import prospect_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list_page, name="list"),
    path("export.<str:file_format>", views.customer_export, name="export"),
    path("groups/", views.saved_filter_create, name="saved_filter_create"),
    path("groups/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("bulk-tag/", views.bulk_tag, name="bulk_tag"),
    path("layouts/", views.page_layouts_page, name="layouts"),
    path("prospects/", prospect_views.prospect_list_page, name="prospect_list"),
    path("prospects/export.<str:file_format>", prospect_views.prospect_export, name="prospect_export"),
    path("prospects/new/", prospect_views.prospect_create_page, name="prospect_create"),
    path("prospects/import/", prospect_views.prospect_import_page, name="prospect_import"),
    path("prospects/duplicates/", prospect_views.prospect_duplicates_page, name="prospect_duplicates"),
    path("prospects/<int:pk>/", prospect_views.prospect_detail_page, name="prospect_detail"),
    path("prospects/<int:pk>/edit/", prospect_views.prospect_edit_page, name="prospect_edit"),
    path("prospects/<int:pk>/delete/", prospect_views.prospect_delete_view, name="prospect_delete"),
    path("prospects/<int:pk>/review-clear/", prospect_views.prospect_review_clear_view, name="prospect_review_clear"),
    path("<str:customer_no>/", views.customer_360_page, name="detail"),
    path("<str:customer_no>/unmask/<str:field>/", views.customer_unmask_view, name="unmask"),
    path("<str:customer_no>/fields/", views.customer_fields_edit, name="fields"),
    path("<str:customer_no>/tags/", views.customer_tag, name="tag"),
]
