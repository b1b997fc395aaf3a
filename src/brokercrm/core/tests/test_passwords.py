"""Item 8: passwords follow Django's validators, at least BROKERCRM_PASSWORD_MIN_LENGTH (12) characters by default."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password

from brokercrm.core.errors import DomainError
from brokercrm.org.facade import User, user_create
from brokercrm.site.management.commands.demo import DEMO_PASSWORD


@pytest.mark.django_db
def test_a_password_shorter_than_the_minimum_is_refused():
    """Creating a user with an 11-character password fails on the password field; 12 characters are enough."""
    with pytest.raises(DomainError) as refused:
        user_create(username="li", role="admin", password="Ledger-2026")

    assert refused.value.field == "password"
    assert not User.objects.filter(username="li").exists()
    assert user_create(username="li", role="admin", password="Ledgers-2026").check_password("Ledgers-2026")


def test_demo_and_test_passwords_satisfy_the_rules():
    """The demo logins and the test factories' password pass every validator, so `make demo` and the suite still work."""
    for password in (DEMO_PASSWORD, "secret-pass-123"):
        validate_password(password)


def test_the_minimum_length_comes_from_the_environment():
    """BROKERCRM_PASSWORD_MIN_LENGTH=16 raises the minimum for the whole site."""
    code = ("from django.conf import settings; "
            "print(settings.AUTH_PASSWORD_VALIDATORS[0]['OPTIONS']['min_length'])")
    env = {**os.environ, "BROKERCRM_PASSWORD_MIN_LENGTH": "16", "DJANGO_SETTINGS_MODULE": "config.settings.base",
           "BROKERCRM_DATA_DIR": str(settings.DATA_DIR)}
    shown = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env,
                           capture_output=True, text=True, timeout=60, check=True)
    assert shown.stdout.strip() == "16"
