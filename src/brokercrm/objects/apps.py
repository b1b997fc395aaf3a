from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectsConfig(AppConfig):
    name = "brokercrm.objects"
    label = "objects"
    verbose_name = _("Business objects")
