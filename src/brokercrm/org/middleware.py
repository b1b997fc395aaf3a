"""Access checks of every page request: employment ended, two-factor enrolment required, the role may open the page."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect

from brokercrm.org.access import ACCESS_ENDED_MESSAGE, access_ended, user_access_end
from brokercrm.org.policy import user_page_allowed

# What a user who must still enrol in two-factor login may reach: the enrolment page, logging out, static files.
_ENROLMENT_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/")


class EmploymentMiddleware:
    """On the staff member's leave date an open session ends: the user is deactivated (audited) and logged out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and access_ended(user):
            user_access_end(user=user, surface="session")
            logout(request)
            messages.error(request, ACCESS_ENDED_MESSAGE)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Users of the roles in BROKERCRM_REQUIRE_2FA_ROLES use no page before their session is verified by a TOTP code.

    Bearer-token requests carry no session user here and are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and user.role in settings.BROKERCRM_REQUIRE_2FA_ROLES and not user.is_verified()
                and not request.path.startswith(_ENROLMENT_PATHS)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor login required."}, status=403)
            return redirect("two_factor")
        return self.get_response(request)


class PagePermissionMiddleware:
    """A page the user's role may not open (roles as data, org.policy) answers 403, whatever link led there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        match = request.resolver_match
        if user.is_authenticated and match is not None and not user_page_allowed(user, match.view_name):
            raise PermissionDenied
        return None
