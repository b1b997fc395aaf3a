"""Composed settings: core Django, then one module per concern."""
from pathlib import Path

import brokercrm
from config.settings.environment import data_dir, env_bool, env_int, env_str

# Templates, static files and translations ship inside the package: found the same from a checkout or `pip install .`.
PACKAGE_DIR = Path(brokercrm.__file__).resolve().parent
DATA_DIR = data_dir()

# Derived from what the operator configures: a missing SECRET_KEY gets a per-data-directory one.
DEBUG = env_bool("BROKERCRM_DEBUG", False)
# The address customers reach the site at: links sent to them (a research report's tracked link) start with it.
PUBLIC_URL = env_str("BROKERCRM_PUBLIC_URL", "http://localhost:8000").rstrip("/")
ALLOWED_HOSTS = [h for h in env_str("BROKERCRM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "brokercrm.core",
    "brokercrm.platform",
    "brokercrm.platform.workflow",
    "brokercrm.org",
    "brokercrm.customers",
    "brokercrm.relations",
    "brokercrm.datacenter",
    "brokercrm.analytics",
    "brokercrm.servicing",
    "brokercrm.products",
    "brokercrm.research",
    "brokercrm.objects",
    "brokercrm.evaluation",
    "brokercrm.compensation",
    "brokercrm.reports",
    "brokercrm.simulator",
    "brokercrm.site",
]

MIDDLEWARE = [
    "brokercrm.core.middleware.RequestIdMiddleware",
    # A page request reads values such as the latest loaded business date once (brokercrm.core.request_memo).
    "brokercrm.core.request_memo.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before the headers below that mark pages uncacheable.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "brokercrm.core.middleware.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session ends on the staff member's leave date; 2FA enrolment is enforced for the roles that need it.
    "brokercrm.org.middleware.EmploymentMiddleware",
    "brokercrm.org.middleware.TwoFactorMiddleware",
    "brokercrm.org.middleware.PagePermissionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "brokercrm.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Builds each user's menu (context processor core.context_processors.navigation): the menus as data of the organisation.
BROKERCRM_MENU_BUILDER = "brokercrm.org.menus_data.menu_for_user"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "brokercrm.core.context_processors.navigation",
            ],
        },
    },
]

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# `brokercrm serve` collects static files here; WhiteNoise serves them compressed, under hashed names cached for a year.
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "brokercrm.core.staticfiles.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "uploads"
# The longest field a CSV import accepts (characters); a longer one is refused with its file, line and column.
IMPORT_FIELD_MAX_CHARS = env_int("BROKERCRM_IMPORT_FIELD_MAX_CHARS", 4096)
# Searches by a full mobile or ID number each user may make in a sliding hour (each one audited).
BROKERCRM_IDENTITY_SEARCHES_PER_HOUR = env_int("BROKERCRM_IDENTITY_SEARCHES_PER_HOUR", 30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Suitability (适当性): a risk questionnaire older than this blocks recommendations until renewed.
SUITABILITY_VALID_YEARS = 2
# Products (issue 15): the normal account status a product may be sold to, and a recommendation's conversion window.
SUITABILITY_CUSTOMER_STATUSES = ("normal",)
PRODUCT_CONVERSION_TRADING_DAYS = 20
# Product sales (and their suitability breaches) are subscriptions off the exchange: buys of the shelf's funds and wealth
# products in these markets. Exchange-traded securities are on the shelf (they carry a risk level) but are trades, not sales.
PRODUCT_SALES_MARKETS = ("OF",)

from config.settings.database import *  # noqa: E402,F401,F403
from config.settings.auth import *  # noqa: E402,F401,F403
from config.settings.security import *  # noqa: E402,F401,F403
from config.settings.tasks import *  # noqa: E402,F401,F403
from config.settings.cache import *  # noqa: E402,F401,F403
from config.settings.datacenter import *  # noqa: E402,F401,F403
from config.settings.logging import *  # noqa: E402,F401,F403
