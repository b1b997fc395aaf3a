"""Item 8: `brokercrm check --deploy --fail-level WARNING` is clean under the production settings of .env.example."""
import os
import secrets
import subprocess
import sys

from django.conf import settings


def _check_deploy(**env_vars) -> subprocess.CompletedProcess:
    # Only what a production service has: no test settings, no DJANGO_ALLOW_ASYNC_UNSAFE of the browser tests.
    env = {name: os.environ[name] for name in ("PATH", "HOME", "PYTHONPATH") if name in os.environ}
    env.update(BROKERCRM_DATA_DIR=str(settings.DATA_DIR), **env_vars)
    return subprocess.run([sys.executable, "-m", "brokercrm.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_https_a_secret_key_and_allowed_hosts():
    """DEBUG off, BROKERCRM_HTTPS=true, a secret key and a host name: no warning at all."""
    result = _check_deploy(BROKERCRM_DEBUG="false", BROKERCRM_HTTPS="true", BROKERCRM_SECRET_KEY=secrets.token_urlsafe(50),
                           BROKERCRM_ALLOWED_HOSTS="crm.example.com")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_what_plain_http_leaves_open():
    """Without BROKERCRM_HTTPS the same check fails on HSTS, the HTTPS redirect and the cookies' secure flags."""
    result = _check_deploy(BROKERCRM_DEBUG="false", BROKERCRM_HTTPS="false", BROKERCRM_SECRET_KEY=secrets.token_urlsafe(50),
                           BROKERCRM_ALLOWED_HOSTS="crm.example.com")

    assert result.returncode == 1
    assert [code for code in ("W004", "W008", "W012", "W016") if f"security.{code}" in result.stderr] == ["W004", "W008", "W012", "W016"]
