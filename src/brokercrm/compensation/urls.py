from django.urls import path

from brokercrm.compensation import views

app_name = "compensation"
urlpatterns = [
    path("", views.home_page, name="home"),
    path("me/", views.my_page, name="me"),
    path("cost-benefit/", views.cost_benefit_page, name="cost_benefit"),
    path("runs/calculate/", views.run_calculate, name="run_calculate"),
    path("runs/<str:period>/", views.run_page, name="run"),
    path("runs/<str:period>/payroll.xlsx", views.run_workbook, name="run_workbook"),
    path("runs/<str:period>/do/<str:action>/", views.run_action, name="run_action"),
    path("runs/<str:period>/<str:staff_no>/", views.payslip_page, name="payslip"),
    path("rules/", views.rules_page, name="rules"),
    path("rules.yaml", views.rules_export, name="rules_export"),
    path("rules/import/", views.rules_import, name="rules_import"),
    path("rules/constants/<str:name>/", views.constant_edit, name="constant_edit"),
    path("rules/grades/<int:grade_id>/", views.grade_edit, name="grade_edit"),
    path("structures/<str:code>/", views.structure_page, name="structure"),
    path("structures/<str:code>/copy/", views.structure_copy, name="structure_copy"),
    path("structures/<str:code>/rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
]
