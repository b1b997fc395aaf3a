from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# Paths with their own authentication (the API: session or bearer token) or none (static, login).
_OPEN_PREFIXES = ("/api/", "/static/", "/i18n/", "/accounts/login/", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a login; the API answers 401 in JSON on its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
