from django.urls import path

from brokercrm.platform.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("badge/", views.inbox_badge, name="inbox_badge"),
    path("notifications/read/", views.notifications_read_page, name="notifications_read"),
    path("instances/", views.instance_list_page, name="instances"),
    path("instances/<int:pk>/", views.instance_detail_page, name="instance_detail"),
    path("instances/<int:pk>/withdraw/", views.instance_withdraw_page, name="instance_withdraw"),
    path("tasks/<int:pk>/decide/", views.task_decide_page, name="task_decide"),
    path("definitions/", views.definition_list_page, name="definitions"),
    path("definitions/<int:pk>/", views.definition_detail_page, name="definition_detail"),
    path("definitions/<int:pk>/download/", views.definition_download, name="definition_download"),
]
