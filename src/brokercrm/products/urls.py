from django.urls import path

from brokercrm.products import views

app_name = "products"
urlpatterns = [
    path("", views.product_list_page, name="list"),
    path("recommend/<str:customer_no>/", views.customer_recommend, name="recommend"),
    path("<str:market>/<str:security_code>/", views.product_page, name="detail"),
    path("<str:market>/<str:security_code>/campaign/", views.product_campaign, name="campaign"),
]
