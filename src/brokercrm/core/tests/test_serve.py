"""Item 9: `brokercrm serve` runs gunicorn with WhiteNoise; a real start on a free loopback port answers."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from django.core.management import load_command_class


def test_serve_help_names_its_options():
    """`brokercrm serve --help` documents --bind and --workers."""
    help_text = load_command_class("brokercrm.core", "serve").create_parser("brokercrm", "serve").format_help()

    assert "--bind BIND" in help_text and "--workers WORKERS" in help_text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers, response.read().decode()


def test_serve_starts_gunicorn_that_answers_health_and_static_files(tmp_path):
    """Given a fresh data directory, `serve` collects static files, answers /healthz, and serves hashed assets cached for a year."""
    port = _free_port()
    env = {**os.environ, "BROKERCRM_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the command's own (production) settings
    server = subprocess.Popen([sys.executable, "-m", "brokercrm.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.5)
        assert (status, body, len(headers["X-Request-ID"])) == (200, "ok", 32)
        login_page = _get(f"http://127.0.0.1:{port}/accounts/login/")[2]
        stylesheet = re.search(r'href="(/static/css/brokercrm\.[0-9a-f]{12}\.css)"', login_page).group(1)
        status, headers, _ = _get(f"http://127.0.0.1:{port}{stylesheet}")
        assert status == 200 and "immutable" in headers["Cache-Control"]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            output = server.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise
    assert "Booting worker" in output and "Shutting down: Master" in output
