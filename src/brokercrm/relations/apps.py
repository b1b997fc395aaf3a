from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "brokercrm.relations"
    label = "relations"
