"""Who may still get in: access ends with employment, API tokens expire or are revoked, TOTP two-factor login.

The writes of this module are services like those of services.py: keyword-only, in a transaction, audited.
"""
import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from brokercrm.core.audit import audit_record
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role, require_role
from brokercrm.org.models import ApiToken, Staff, User
from brokercrm.org.roles import USER_ADMINS

ACCESS_ENDED_MESSAGE = _("Your access has ended with your employment. Ask your branch manager if this is wrong.")
API_TOKEN_MAX_DAYS = 3650


def access_ended(user: User) -> bool:
    """Whether the user's staff member has left: their leave date is today or earlier."""
    staff = user.staff if user.staff_id else None
    return staff is not None and staff.leave_date is not None and staff.leave_date <= timezone.localdate()


def _deactivate(user: User, *, actor, surface: str) -> None:
    if not user.is_active:
        return
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    audit_record(actor=actor, action="update", instance=user, changes={"is_active": [True, False]},
                 note=f"leave date {user.staff.leave_date} reached ({surface})")


@transaction.atomic
def user_access_end(*, user: User, surface: str) -> None:
    """The user's staff member has left: the user is deactivated (audited once), whatever surface noticed it first."""
    _deactivate(user, actor=None, surface=surface)


@transaction.atomic
def user_login_refuse(*, user: User) -> None:
    """A login of a departed staff member's user: refused and audited, whatever password was given."""
    audit_record(actor=None, action="login_refused", instance=user, note=f"leave date {user.staff.leave_date} reached")
    _deactivate(user, actor=None, surface="login")


def staff_access_sync(*, staff: Staff, actor) -> None:
    """Called by the staff services after a leave date is recorded: a departure on or before today ends access now."""
    user = User.objects.select_related("staff").filter(staff=staff).first()
    if user is not None and access_ended(user):
        _deactivate(user, actor=actor, surface="leave date recorded")


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _may_manage_tokens_of(actor, user: User) -> bool:
    return actor is None or getattr(actor, "pk", None) == user.pk or has_role(actor, USER_ADMINS)


@transaction.atomic
def api_token_create(*, user: User, actor=None, name: str = "", days: int | None = None) -> str:
    """A new bearer token ending after `days` (BROKERCRM_API_TOKEN_DAYS by default); only its SHA-256 is stored, so
    it is shown once. A user makes their own tokens; an admin (or the CLI) anyone's."""
    if not _may_manage_tokens_of(actor, user):
        require_role(actor, USER_ADMINS)
    days = settings.BROKERCRM_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise DomainError(f"days must be between 1 and {API_TOKEN_MAX_DAYS}", field="days")
    if not user.is_active or access_ended(user):
        raise DomainError(f"user {user.username} is inactive", field="user")
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(user=user, name=name.strip()[:100], key_hash=_token_hash(key), prefix=key[:8],
                                    expires_at=now + dt.timedelta(days=days))
    audit_record(actor=actor, action="create", instance=token, object_repr=f"{user.username} {token}",
                 changes={"user": [None, user.username], "name": [None, token.name], "expires_at": [None, str(token.expires_at)]})
    return key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    """Revoke a token: it answers 401 from now on. The owner or an admin (or the CLI) may."""
    if not _may_manage_tokens_of(actor, token.user):
        require_role(actor, USER_ADMINS)
    if token.revoked_at is not None:
        raise DomainError(f"token {token.id} is already revoked", field="token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="update", instance=token, object_repr=f"{token.user.username} {token}",
                 changes={"revoked_at": [None, str(token.revoked_at)]})
    return token


def api_token_authenticate(key: str) -> User | None:
    """The user of a live token (not expired, not revoked, user active and still employed), else None."""
    now = timezone.now()
    token = (ApiToken.objects.select_related("user", "user__staff")
             .filter(key_hash=_token_hash(key), user__is_active=True, revoked_at__isnull=True, expires_at__gt=now).first())
    if token is None:
        return None
    if access_ended(token.user):
        user_access_end(user=token.user, surface="API token")
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def two_factor_device(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose key the enrolment page shows (made once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def two_factor_enrol(*, user: User, code: str) -> TOTPDevice:
    """Confirm enrolment with a code from the authenticator app: from now on login asks for a code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise DomainError(_("Start the enrolment again: no key is waiting for confirmation."), field="code")
    if not device.verify_token(code.strip()):
        raise DomainError(_("The code is not valid. Check the clock of your phone and enter the current code."), field="code")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="update", instance=user, changes={"two_factor": [False, True]}, note="TOTP enrolled")
    return device


@transaction.atomic
def two_factor_reset(*, user: User, actor=None) -> None:
    """Remove a user's TOTP device (a lost phone): they enrol again at the next login if their role requires it."""
    require_role(actor, USER_ADMINS)
    deleted, _count = TOTPDevice.objects.filter(user=user).delete()
    if not deleted:
        raise DomainError(f"user {user.username} has no two-factor device", field="user")
    audit_record(actor=actor, action="update", instance=user, changes={"two_factor": [True, False]}, note="TOTP reset")


def two_factor_verify(*, device: TOTPDevice, code: str) -> bool:
    """Check a login code; the device throttles repeated failures (django-otp doubles the wait after each)."""
    allowed, _info = device.verify_is_allowed()
    return bool(allowed) and device.verify_token(code.strip())


def two_factor_session_verify(*, request, device: TOTPDevice) -> None:
    """Mark the request's session verified by the device (after a good code)."""
    otp_login(request, device)
