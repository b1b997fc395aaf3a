"""The user's own account pages: login (password, then a TOTP code once enrolled), two-factor enrolment, API tokens."""
import base64
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login, views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role
from brokercrm.org import access, selectors
from brokercrm.org.forms import ApiTokenForm, CodeForm, LoginForm
from brokercrm.org.models import User
from brokercrm.org.roles import USER_ADMINS

# The user who gave the right password and still owes a code; the code step must follow within CODE_STEP_SECONDS.
_PENDING = "brokercrm_2fa_pending"
CODE_STEP_SECONDS = 300


def _safe_next(request, url: str) -> str:
    ok = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if url and ok else reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Password first; a user enrolled in two-factor login then gives a code before the session is theirs."""

    authentication_form = LoginForm

    def form_invalid(self, form):
        if form.departed_user is not None:
            access.user_login_refuse(user=form.departed_user)
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        if access.two_factor_device(user) is None:
            return super().form_valid(form)
        self.request.session[_PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time()}
        return redirect(f"{reverse('login_code')}?{urlencode({'next': self.get_redirect_url()})}")


def _pending_user(request) -> tuple[User | None, str]:
    pending = request.session.get(_PENDING) or {}
    if not pending or time.time() - pending["at"] > CODE_STEP_SECONDS:
        return None, ""
    return User.objects.select_related("staff").filter(pk=pending["user"], is_active=True).first(), pending["backend"]


@require_http_methods(["GET", "POST"])
def login_code_page(request):
    user, backend = _pending_user(request)
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        device = access.two_factor_device(user)
        if device is not None and access.two_factor_verify(device=device, code=form.cleaned_data["code"]):
            del request.session[_PENDING]
            user.otp_device = device  # django-otp marks the new session verified on login
            auth_login(request, user, backend=backend)
            return redirect(_safe_next(request, next_url))
        form.add_error("code", _("The code is not valid. Check the clock of your phone and enter the current code."))
    return render(request, "registration/login_code.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def two_factor_page(request):
    """Enrol (scan the QR code, confirm a code) or, enrolled in another session, verify this one with a code."""
    user = request.user
    device = access.two_factor_device(user)
    form = CodeForm(request.POST or None)
    if device is not None:
        if request.method == "POST" and form.is_valid():
            if access.two_factor_verify(device=device, code=form.cleaned_data["code"]):
                access.two_factor_session_verify(request=request, device=device)
                return redirect("home")
            form.add_error("code", _("The code is not valid. Check the clock of your phone and enter the current code."))
        return render(request, "registration/two_factor.html", {"form": form, "enrolled": True, "verified": user.is_verified()})
    pending = access.two_factor_enrolment_start(user=user)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = access.two_factor_enrol(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            access.two_factor_session_verify(request=request, device=confirmed)
            messages.success(request, _("Two-factor login is on: from now on login asks for a code."))
            return redirect("two_factor")
    return render(request, "registration/two_factor.html", {
        "form": form, "enrolled": False, "required": user.role in settings.BROKERCRM_REQUIRE_2FA_ROLES,
        "qr": segno.make(pending.config_url, error="m").svg_data_uri(scale=5),
        "key": base64.b32encode(pending.bin_key).decode()})


@require_http_methods(["GET", "POST"])
def api_tokens_page(request):
    """My API tokens (an admin sees everyone's): create one (shown once on this page), list, revoke."""
    form = ApiTokenForm(request.POST or None, initial={"days": settings.BROKERCRM_API_TOKEN_DAYS})
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            new_key = access.api_token_create(user=request.user, actor=request.user, name=form.cleaned_data["name"],
                                              days=form.cleaned_data["days"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    now = timezone.now()
    rows = [(token, token.status_at(now)) for token in selectors.api_token_list(user=request.user)]
    return render(request, "org/api_tokens.html", {"form": form, "new_key": new_key, "rows": rows,
                                                   "show_user": has_role(request.user, USER_ADMINS)})


@require_POST
def api_token_revoke_page(request, token_id: int):
    token = selectors.api_token_get(user=request.user, token_id=token_id)
    try:
        access.api_token_revoke(token=token, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("api_tokens")
