from django.urls import path

from brokercrm.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.home_page, name="home"),
    path("board/", views.board_page, name="board"),
    path("targets/", views.targets_page, name="targets"),
    path("levels/", views.levels_page, name="levels"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/export/", views.targets_export, name="targets_export"),
    path("targets/import/", views.targets_import, name="targets_import"),
    path("targets/<int:target_id>/split/", views.target_split, name="target_split"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<int:run_id>/", views.run_page, name="run"),
    path("runs/<int:run_id>/<str:staff_no>/", views.score_page, name="score"),
    path("runs/<int:run_id>/<str:staff_no>/appeal/", views.appeal_create, name="appeal"),
    path("schemes.yaml", views.schemes_export, name="schemes_export"),
    path("schemes/import/", views.schemes_import, name="schemes_import"),
    path("schemes/<str:code>/", views.scheme_page, name="scheme"),
    path("schemes/<str:code>/copy/", views.scheme_copy, name="scheme_copy"),
    path("schemes/<str:code>/items/<int:item_id>/", views.scheme_item_edit, name="item_edit"),
    path("drill/<str:staff_no>/<str:period>/<str:indicator>/", views.drill_page, name="drill"),
    path("drill/<str:staff_no>/<str:period>/customers/<str:customer_no>/trades/", views.trades_page, name="trades"),
]
