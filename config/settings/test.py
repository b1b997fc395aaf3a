"""Test settings: a throwaway data directory, fast hashing, synchronous tasks."""
import os
import tempfile

os.environ.setdefault("BROKERCRM_DATA_DIR", tempfile.mkdtemp(prefix="brokercrm-test-"))

from config.settings.base import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "datacenter", "messages"]}}
LANGUAGE_CODE = "zh-hans"
# Static files straight from the source folders (no collectstatic before a test run).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Kept in memory: every test's snapshot lives in its own directory, which the cache key names.
CACHES = {**CACHES, "snapshot": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "snapshot"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Concurrent runs on one PostgreSQL server (developers, CI) must not share a test database.
if "postgresql" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_brokercrm_{os.getpid()}"}  # noqa: F405
WAREHOUSE_POINT_INDEX = "off"  # built where a test asks for it (datacenter/tests/test_point_index.py)
