"""200 concurrent brokers against the production profile, next to one broker alone in the same run.

Builds the demo brokerage (20,000 customers: simulator, `etl run`, staff and relations import) in a
data directory, or reuses one with `--data-dir DIR` (SQLite there; PostgreSQL when DATABASE_URL is set),
creates a broker user for each of several branches, starts `brokercrm serve --workers N` on a free
loopback port and drives it over HTTP: each client logs in as one of the brokers and sends a bounded
number of requests, a mix of the customer list, a search (name prefix, last four mobile digits) and
the 360° page of one of that broker's customers. First one client alone (the baseline, back to back), then
`--clients` at once. Prints p50/p95/p99 latency in ms, errors and throughput of both, the ratio of
the p95s and the load average around each phase, and the CPU ms per page of each kind measured in this process
(`--cpu-pages`), far less affected by a busy machine than latency. Loopback only; every client stops after its requests
or at the hard time limit.

A client is a member of staff, not a request generator: between two pages it waits a think time drawn
uniformly from 0.5–1.5 × `--think` (default 10 s: a broker reads the list, a search's rows or a
customer's 360° page before the next click), and it starts after one such wait too, so 200 staff do not
click in the same millisecond. 200 such clients ask about 200 / 10 = 20 pages a second. `--think 0`
gives the closed loop of back-to-back requests (throughput-bound: latency = clients / throughput).

    .venv/bin/python benchmarks/bench_load.py                        # builds the demo in a temporary directory
    .venv/bin/python benchmarks/bench_load.py --data-dir /tmp/load   # builds once, then reuses
"""
import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
CUSTOMERS = 20_000
PASSWORD = "bench-load-Passw0rd-2026"


def brokercrm(data_dir: Path, *args: str, **popen) -> subprocess.Popen | subprocess.CompletedProcess:
    """Run the `brokercrm` command of this checkout on the data directory."""
    env = {**os.environ, "BROKERCRM_DATA_DIR": str(data_dir), "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
           "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    command = [sys.executable, "-m", "brokercrm.cli", *args]
    if popen:
        return subprocess.Popen(command, env=env, **popen)
    return subprocess.run(command, env=env, check=True)


def prepare(data_dir: Path, brokers: int) -> list[dict]:
    """The demo brokerage (built unless already there) and one broker user per branch, with their customers and search terms."""
    os.environ["BROKERCRM_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count

    from brokercrm.customers.models import Customer
    from brokercrm.org.models import Staff, User
    from brokercrm.org.roles import Role
    from brokercrm.org.services import user_create
    from brokercrm.relations.models import Relation

    call_command("migrate", verbosity=0)
    if Customer.objects.count() < CUSTOMERS:
        started = time.perf_counter()
        connections.close_all()
        brokercrm(data_dir, "demo", "--customers", str(CUSTOMERS))
        print(f"demo brokerage built in {time.perf_counter() - started:.0f} s")
    else:
        print(f"reusing {Customer.objects.count():,} customers in {data_dir}")
    # The brokers with the largest books, one per branch: their list pages are the heaviest in scope.
    # (Staff that already have a login of their own, like the demo's brokers, are left to it.)
    others = User.objects.filter(staff__isnull=False).exclude(username__startswith="bench-").values("staff_id")
    busiest = (Staff.objects.filter(relations__end_date__isnull=True).exclude(pk__in=others).annotate(book=Count("relations"))
               .order_by("-book").values_list("pk", "branch_id", "book"))
    chosen, branches = [], set()
    for staff_id, branch_id, book in busiest:
        if branch_id not in branches:
            branches.add(branch_id)
            chosen.append(Staff.objects.select_related("branch").get(pk=staff_id))
        if len(chosen) == brokers:
            break
    users = []
    for staff in chosen:
        username = f"bench-{staff.staff_no}"
        if not User.objects.filter(username=username).exists():
            user_create(username=username, role=Role.BROKER, staff_no=staff.staff_no, password=PASSWORD)
        book = list(Relation.objects.filter(staff=staff, end_date__isnull=True)
                    .values_list("customer__customer_no", "customer__name", "customer__mobile_last4")[:200])
        users.append({"username": username, "branch": staff.branch.code, "customers": [no for no, _n, _m in book],
                      "terms": sorted({name[:1] for _no, name, _m in book} | {last4 for _no, _n, last4 in book})})
    print("brokers: " + ", ".join(f"{u['username']} (branch {u['branch']}, {len(u['customers'])} customers)" for u in users))
    connections.close_all()
    return users


def cpu_per_page(users: list[dict], pages: int, seed: int = 4) -> dict[str, tuple[float, int]]:
    """CPU ms per page of each kind, measured in this process through Django's test client (URL routing, middleware,
    scope, selectors, templates; the server's own overhead aside): the figure that carries over to a quiet machine.

    Each broker's pages are asked once to warm the caches a worker keeps, then `pages` of each kind are timed with
    the process's CPU clock (time.process_time, little affected by other processes on the machine)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from brokercrm.org.models import User

    rng = random.Random(seed)
    clients = []
    for user in users:
        client = Client()
        client.force_login(User.objects.get(username=user["username"]))
        clients.append((client, user))
    kinds = {"customer list": lambda u: f"/customers/?page={rng.randint(1, 3)}",
             "search": lambda u: f"/customers/?q={rng.choice(u['terms'])}",
             "360° page": lambda u: f"/customers/{rng.choice(u['customers'])}/"}
    for client, user in clients:
        for url in kinds.values():
            assert client.get(url(user)).status_code == 200
    figures = {}
    for kind, url in kinds.items():
        cpu, queries = 0.0, 0
        for i in range(pages):
            client, user = clients[i % len(clients)]
            path = url(user)
            with CaptureQueriesContext(connection) as captured:
                began = time.process_time()
                answer = client.get(path)
                cpu += time.process_time() - began
            assert answer.status_code == 200, f"{answer.status_code} {path}"
            queries += len(captured)
        figures[kind] = (cpu / pages * 1000, round(queries / pages))
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before answering")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not answer /healthz in time")


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{base}/accounts/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                          headers={"Referer": f"{base}/accounts/login/"}, timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise SystemExit(f"login of {username} failed: {answer.status_code}")
    return session


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


def pick(rng: random.Random, base: str, user: dict) -> str:
    """The mix: 40 % the customer list, 30 % a search, 30 % a 360° page of one of the broker's customers."""
    roll = rng.random()
    if roll < 0.4:
        return f"{base}/customers/?page={rng.randint(1, 3)}"
    if roll < 0.7:
        return f"{base}/customers/?q={rng.choice(user['terms'])}"
    return f"{base}/customers/{rng.choice(user['customers'])}/"


def drive(base: str, sessions: list[tuple[requests.Session, dict]], requests_each: int, time_limit: float,
          seed: int, think: float = 0.0) -> tuple[Figures, float]:
    """Every session in its own thread sends its requests, each after a think time (uniform 0.5–1.5 × think, none when
    think is 0); all start together; none runs past the time limit."""
    figures = Figures()
    start = threading.Barrier(len(sessions) + 1)
    deadline = {}

    def client(index: int, session: requests.Session, user: dict) -> None:
        rng = random.Random(seed + index)
        start.wait()
        for _ in range(requests_each):
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))
            if time.monotonic() > deadline["at"]:
                figures.add(0.0, "stopped at the time limit")
                return
            url = pick(rng, base, user)
            began = time.perf_counter()
            try:
                answer = session.get(url, timeout=30, allow_redirects=False)
                error = None if answer.status_code == 200 else f"{answer.status_code} {url}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__} {url}"
            figures.add(time.perf_counter() - began, error)

    threads = [threading.Thread(target=client, args=(i, s, u), daemon=True) for i, (s, u) in enumerate(sessions)]
    for t in threads:
        t.start()
    deadline["at"] = time.monotonic() + time_limit
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(max(0.0, deadline["at"] - time.monotonic()) + 35)
    return figures, time.perf_counter() - began


def report(label: str, figures: Figures, elapsed: float) -> float:
    ms = sorted(x * 1000 for x in figures.latencies if x)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    print(f"{label:<22} {len(ms):>6} requests  p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  "
          f"errors {len(figures.errors):>4}  {len(ms) / elapsed:6.1f} req/s")
    for error in sorted(set(figures.errors))[:5]:
        print(f"    e.g. {error}")
    return q[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="build the demo here once and reuse it (default: a temporary directory)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=10, help="requests per client (default 10)")
    parser.add_argument("--brokers", type=int, default=8, help="brokers of that many branches (default 8)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean think time in seconds between a client's pages (uniform 0.5–1.5 ×; default 10; 0: back to back)")
    parser.add_argument("--cpu-pages", type=int, default=30, help="pages of each kind timed in-process for CPU ms per page (default 30)")
    parser.add_argument("--time-limit", type=float, default=300, help="hard limit in seconds for each phase (default 300)")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-load-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    users = prepare(data_dir, args.brokers)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = brokercrm(data_dir, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(base, server)
        # In this process, while the server idles (it has collected the static files the pages name).
        cpu = cpu_per_page(users, args.cpu_pages)
        print(f"serving {base} with {args.workers} workers on {os.environ.get('DATABASE_URL', 'SQLite').split('@')[-1]}; "
              f"load average {os.getloadavg()[0]:.2f}")
        sessions = [(login(base, users[i % len(users)]["username"]), users[i % len(users)]) for i in range(args.clients)]
        # Warm every worker (templates, translations, first connection) so neither phase pays for it.
        drive(base, sessions[:2 * len(users)], 3, args.time_limit, seed=1)
        load = [os.getloadavg()[0]]
        single, single_elapsed = drive(base, sessions[:1], args.requests * 6, args.time_limit, seed=2)
        load.append(os.getloadavg()[0])
        many, many_elapsed = drive(base, sessions, args.requests, args.time_limit, seed=3, think=args.think)
        load.append(os.getloadavg()[0])
        think = (f"think time uniform {0.5 * args.think:g}–{1.5 * args.think:g} s (mean {args.think:g} s) before each page"
                 if args.think else "no think time (back to back)")
        print(f"1 client: {args.requests * 6} pages back to back. {args.clients} clients: {args.requests} pages each, {think}; "
              f"mix 40 % list, 30 % search, 30 % 360° page")
        print(f"load average (1 min, {os.cpu_count()} cores): {load[0]:.2f} before, {load[1]:.2f} after 1 client, "
              f"{load[2]:.2f} after {args.clients} clients")
        p95_single = report("1 client", single, single_elapsed)
        p95_many = report(f"{args.clients} clients", many, many_elapsed)
        mix = 0.4 * cpu["customer list"][0] + 0.3 * cpu["search"][0] + 0.3 * cpu["360° page"][0]
        print("CPU per page in-process (" + ", ".join(f"{kind} {ms:.1f} ms, {queries} queries" for kind, (ms, queries) in cpu.items())
              + f"); the mix {mix:.1f} ms: {1000 / mix:.0f} pages/s per core")
        print(f"p95 ratio {args.clients} clients / 1 client: {p95_many / p95_single:.1f}; "
              f"target p95 < 300 ms with 0 errors: {'met' if p95_many < 300 and not many.errors else 'NOT met'}")
    finally:
        server.terminate()
        server.wait(30)
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
