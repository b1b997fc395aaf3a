"""`brokercrm serve`: the production web server (gunicorn worker processes, static files through WhiteNoise)."""
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from gunicorn.app.base import BaseApplication

# The access log names each request's X-Request-ID, the id its application log lines carry.
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


class _Server(BaseApplication):
    """gunicorn run in-process with our options; each worker loads the Django application after the fork."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


class Command(BaseCommand):
    help = ("Serve the site with gunicorn: several worker processes, static files collected into the data directory "
            "and served by WhiteNoise. Background tasks run in a separate `brokercrm db_worker`.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                            help="worker processes (default 2 × CPU cores + 1)")

    def handle(self, *args, **opts):
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"serving http://{opts['bind']}/ with {opts['workers']} workers (Ctrl-C stops)")
        # Workers are forked from this process: none may inherit its database connections.
        connections.close_all()
        # No control socket: it would sit in $HOME, shared by every instance on the machine.
        _Server({"bind": opts["bind"], "workers": opts["workers"], "proc_name": "brokercrm", "accesslog": "-",
                 "access_log_format": ACCESS_LOG_FORMAT, "control_socket_disable": True}).run()
