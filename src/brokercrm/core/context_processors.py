from django.conf import settings
from django.utils.module_loading import import_string


def navigation(request):
    """The menu of the requesting user, built by the function settings.BROKERCRM_MENU_BUILDER names (org's menus as data)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"menu": []}
    return {"menu": import_string(settings.BROKERCRM_MENU_BUILDER)(user)}
