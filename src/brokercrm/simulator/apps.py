from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "brokercrm.simulator"
    label = "simulator"
