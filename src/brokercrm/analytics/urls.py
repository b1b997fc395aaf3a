from django.urls import path

from brokercrm.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("migration/", views.migration_page, name="migration"),
    path("customers/", views.customers_page, name="customers"),
    path("config/", views.config_page, name="config"),
    path("config/export.yaml", views.config_export, name="config_export"),
    path("config/import/", views.config_import_page, name="config_import"),
    path("config/recompute/", views.recompute_view, name="recompute"),
    path("config/settings/", views.settings_edit_page, name="settings_edit"),
    path("config/tiers/new/", views.tier_edit_page, name="tier_create"),
    path("config/tiers/<str:code>/", views.tier_edit_page, name="tier_edit"),
    path("config/tiers/<str:code>/delete/", views.tier_delete_view, name="tier_delete"),
    path("config/groups/new/", views.group_edit_page, name="group_create"),
    path("config/groups/<str:code>/", views.group_edit_page, name="group_edit"),
    path("config/groups/<str:code>/delete/", views.group_delete_view, name="group_delete"),
    path("pins/", views.pins_page, name="pins"),
    path("pins/<int:pk>/end/", views.pin_end_view, name="pin_end"),
]
