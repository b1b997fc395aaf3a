from django.apps import AppConfig


class DatacenterConfig(AppConfig):
    name = "brokercrm.datacenter"
    label = "datacenter"
