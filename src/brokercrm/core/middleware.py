import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from brokercrm.core.logging import current_request_id

# Paths with their own authentication (the API: session or bearer token; a research push's link: its token) or none
# (static, login).
_OPEN_PREFIXES = ("/api/", "/static/", "/i18n/", "/accounts/login/", "/healthz", "/research/open/")


class RequestIdMiddleware:
    """Gives each request an id, answers it in `X-Request-ID` and stamps it on every log line of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class LoginRequiredMiddleware:
    """Every page needs a login; the API answers 401 in JSON on its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class ResponseHeadersMiddleware:
    """Every page and API answer Django renders gets the Content-Security-Policy and `Cache-Control: no-store`.

    Pages and answers may carry customers' personal data, so no browser or proxy keeps them; static files are
    answered before this middleware (WhiteNoise) and keep their long caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Cache-Control", "no-store")
        return response
