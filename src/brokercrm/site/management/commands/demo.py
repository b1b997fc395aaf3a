"""`brokercrm demo`: the embedded demo brokerage, loaded end to end the way a brokerage sets up."""
import datetime as dt
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from brokercrm.datacenter.facade import trading_days
from brokercrm.site.demo import ensure_demo_activity, ensure_demo_products, ensure_demo_users

DEMO_PASSWORD = "demo-pass-2026"
FIRST_DAY, LAST_DAY = dt.date(2025, 11, 3), dt.date(2026, 10, 30)
# The closures of the year after the calendar package's last, shipped as data (docs/calendar.md says whence).
NEXT_YEAR_CLOSURES = "closures/2027.csv"


class Command(BaseCommand):
    help = ("Create the demo brokerage (20 branches, 300 staff, 20,000 customers, 12 months of trading), "
            "load it, create one user per role and print the logins; --serve then runs the web server and the worker.")

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true", help="serve http://127.0.0.1:8000 with the task worker until Ctrl-C")
        parser.add_argument("--customers", type=int, default=20000)
        parser.add_argument("--staff", type=int, default=300)
        parser.add_argument("--branches", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, **opts):
        call_command("migrate", verbosity=0)
        source = Path(settings.DATA_DIR) / "demo-delivery"
        started = time.monotonic()
        self._simulate(source, opts)
        self._load(source)
        users = ensure_demo_users(password=DEMO_PASSWORD)
        for line in ensure_demo_activity(period=f"{LAST_DAY:%Y-%m}"):
            self.stdout.write(line)
        for line in ensure_demo_products():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"demo brokerage ready in {time.monotonic() - started:.0f} s"))
        self.stdout.write(f"logins (password for all: {DEMO_PASSWORD}):")
        for username, description in users:
            self.stdout.write(f"  {username:<14} {description}")
        if opts["serve"]:
            self._serve(opts["addr"])

    def _simulate(self, source: Path, opts) -> None:
        if (source / "relations.csv").exists():
            self.stdout.write(f"delivery already simulated in {source}")
            return
        days = len(trading_days(FIRST_DAY, LAST_DAY))
        self.stdout.write(f"simulating {days} trading days of {opts['customers']} customers into {source} …")
        call_command("simulate", out=str(source), start=FIRST_DAY.isoformat(), days=days, customers=opts["customers"],
                     staff=opts["staff"], branches=opts["branches"], seed=opts["seed"])

    def _load(self, source: Path) -> None:
        with resources.as_file(resources.files("brokercrm.datacenter") / NEXT_YEAR_CLOSURES) as closures:
            call_command("calendar", "import", str(closures))
        self.stdout.write("loading the deliveries, staff.csv and relations.csv into the data center in one load …")
        call_command("etl", "run", source=str(source))

    def _serve(self, addr: str) -> None:
        manage = [sys.executable, "-m", "brokercrm.cli"]
        worker = subprocess.Popen([*manage, "db_worker", "--queue-name", "*"])
        self.stdout.write("Ctrl-C stops the server and the worker")
        try:
            call_command("serve", bind=addr, workers=2)
        finally:
            worker.send_signal(signal.SIGINT)
            worker.wait(timeout=30)
