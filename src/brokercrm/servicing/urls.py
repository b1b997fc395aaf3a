from django.urls import path

from brokercrm.servicing import views

app_name = "servicing"
urlpatterns = [
    path("", views.my_work_page, name="my_work"),
    path("alerts/", views.alert_inbox_page, name="alerts"),
    path("alerts/rules/", views.alert_rules_page, name="alert_rules"),
    path("alerts/<int:alert_id>/", views.alert_detail_page, name="alert_detail"),
    path("tasks/", views.task_list_page, name="tasks"),
    path("tasks/<int:task_id>/", views.task_detail_page, name="task_detail"),
    path("visits/", views.visit_list_page, name="visits"),
    path("visits/policy/", views.visit_policy_page, name="visit_policy"),
    path("outbox/", views.outbox_page, name="outbox"),
    path("outbox/<int:message_id>/requeue/", views.outbox_requeue_page, name="outbox_requeue"),
    path("strategies/", views.strategy_page, name="strategies"),
    path("strategies/<int:strategy_id>/run/", views.strategy_run_page, name="strategy_run"),
    path("strategies/<int:strategy_id>/", views.strategy_detail_page, name="strategy_detail"),
    path("advice/", views.advice_page, name="advice"),
    path("desk/", views.desk_page, name="desk"),
    path("desk/pop/", views.desk_pop_page, name="desk_pop"),
    path("desk/tasks/<int:task_id>/", views.desk_task_page, name="desk_task"),
    path("desk/tasks/<int:task_id>/take/", views.desk_take_page, name="desk_take"),
    path("customers/<str:customer_no>/tasks/new/", views.customer_task_create_page, name="customer_task_create"),
]
