from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "brokercrm.platform"
    label = "platform"
