from brokercrm.core.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"menu": []}
    return {"menu": menu_for(getattr(user, "role", ""))}
