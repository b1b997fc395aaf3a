from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "brokercrm.customers"
    label = "customers"
