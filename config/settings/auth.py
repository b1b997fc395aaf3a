"""Authentication, passwords, lockout, sessions and CSRF (HTTPS-only flags are in `security`)."""
from datetime import timedelta

from config.settings.environment import data_dir, env_int, env_str


def _secret_key() -> str:
    key = env_str("BROKERCRM_SECRET_KEY")
    if key:
        return key
    # No secret is committed: a random key is made once per data directory and kept there.
    path = data_dir() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("BROKERCRM_PASSWORD_MIN_LENGTH", 12)}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user with their staff row (the leave date is checked on every request).
    "brokercrm.org.backends.UserBackend",
]

# Lockout after repeated failures (django-axes), per username and address.
AXES_FAILURE_LIMIT = env_int("BROKERCRM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BROKERCRM_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("BROKERCRM_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True

# API tokens end after this many days unless `brokercrm api-token U --days N` or the page says otherwise.
BROKERCRM_API_TOKEN_DAYS = env_int("BROKERCRM_API_TOKEN_DAYS", 90)
# Roles that must enrol in TOTP two-factor login before they may use any page, e.g. "admin,head_office".
BROKERCRM_REQUIRE_2FA_ROLES = frozenset(r.strip() for r in env_str("BROKERCRM_REQUIRE_2FA_ROLES", "").split(",") if r.strip())
# The issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env_str("BROKERCRM_2FA_ISSUER", "brokercrm")
