"""Customer search and the 360° page with 1,000,000 customers, next to a bare indexed lookup.

Builds a throwaway app database (SQLite by default; PostgreSQL when DATABASE_URL is set: the
database it names must start with "bench" and is dropped and created afresh) with 20 branches, 2,000 staff,
N customers each with a development relation and the month figures, and a published snapshot with
12 months of dm.customer_month per customer. Then times, through the real views (Django test
client: URL routing, scope, selectors, template), the list page searched by every key, the API
search, and the 360° page; prints p50/p95 in ms and the queries per request, and the ratio of p95
to the baseline (a bare `Customer.objects.get(customer_no=…)` measured in the same run).
`--quick` = 20,000 customers. `--data-dir DIR` keeps the SQLite database there and reuses it when it
already holds the same number of customers (building a million rows takes minutes).
"""
import argparse
import atexit
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰桂兰志强春梅海燕文斌晓东雪梅婷婷子涵浩然欣怡宇轩梓涵"
MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]


def customer_keys(i: int, rng: random.Random) -> tuple[str, str, str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    mobile = f"1{rng.choice('3578')}{(i * 7919 + 12345) % 10**9:09d}"
    check = rng.choice("0123456789X")
    id_no = f"{rng.randint(110000, 659000)}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{i % 1000:03d}{check}"
    return f"{10000001 + i}", name, mobile, id_no


def build(n: int, snapshot_dir: Path) -> dict:
    from django.core.management import call_command
    from django.conf import settings

    from brokercrm.customers.models import Customer
    from brokercrm.org.models import Staff
    from brokercrm.org.roles import Role
    from brokercrm.org.tests.factories import user_for
    from brokercrm.relations.models import Relation

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    keys = [customer_keys(i, rng) for i in range(n)]
    if Customer.objects.count() == n:
        print(f"app database: reusing {n:,} customers in {settings.DATABASES['default']['NAME']}")
    else:
        _build_app_database(n, keys)
    _build_snapshot(n, snapshot_dir)
    from brokercrm.org.models import User

    admin = User.objects.filter(username="bench-admin").first() or user_for(Role.ADMIN, username="bench-admin")
    broker_staff = Staff.objects.get(staff_no="S00008")
    broker = User.objects.filter(username="bench-broker").first() or user_for(Role.BROKER, staff=broker_staff, username="bench-broker")
    broker_customers = list(Relation.objects.filter(staff=broker_staff).values_list("customer__customer_no", flat=True))
    return {"keys": keys, "admin": admin, "broker": broker, "broker_customers": broker_customers}


def _build_app_database(n: int, keys: list[tuple[str, str, str, str]]) -> None:
    from django.db import connection

    from brokercrm.customers.models import Customer, name_grams
    from brokercrm.org.models import Branch, Staff, StaffCategory, StaffLevel
    from brokercrm.org.seed import seed_staff_categories

    seed_staff_categories(StaffCategory, StaffLevel)
    manager = StaffCategory.objects.get(code="account_manager")
    branches = Branch.objects.bulk_create([Branch(code=f"{b + 1:04d}", name=f"营业部{b + 1}") for b in range(20)])
    staff = Staff.objects.bulk_create([Staff(staff_no=f"S{s + 1:05d}", name=f"员工{s + 1}", category=manager,
                                             branch=branches[s % 20], hire_date=dt.date(2015, 1, 5)) for s in range(2000)])
    started = time.perf_counter()
    now = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone.utc)
    # Plain INSERTs (not model instances): a million rows in seconds rather than minutes; same columns the models define.
    with connection.cursor() as cursor:
        insert = ("INSERT INTO customers_customer (customer_no, name, customer_type, id_type, id_no, id_no_last4, gender, birth_date, "
                  "mobile, mobile_last4, email, address, branch_id, open_date, close_date, status, risk_level, risk_assessed_on, "
                  "custom_fields, created_at, updated_at) VALUES (%s, %s, 'individual', 'id_card', %s, %s, '', NULL, %s, %s, '', '', "
                  "%s, %s, NULL, 'normal', %s, %s, '{}', %s, %s)")
        for start in range(0, n, 50000):
            cursor.executemany(insert, [
                (no, name, id_no, id_no[-4:], mobile, mobile[-4:], branches[i % 20].pk, dt.date(2010, 1, 4) + dt.timedelta(days=i % 5000),
                 f"C{i % 5 + 1}", dt.date(2024, 6, 1), now, now)
                for i, (no, name, mobile, id_no) in enumerate(keys[start:start + 50000], start=start)])
        ids = dict(Customer.objects.values_list("customer_no", "id"))
        for start in range(0, n, 50000):
            cursor.executemany("INSERT INTO customers_customernamegram (customer_id, gram) VALUES (%s, %s)",
                               [(ids[no], gram) for no, name, _m, _i in keys[start:start + 50000] for gram in sorted(name_grams(name))])
        for start in range(0, n, 50000):
            chunk = range(start, min(n, start + 50000))
            cursor.executemany(
                "INSERT INTO relations_relation (customer_id, staff_id, relation_type, start_date, end_date, origin, created_at, updated_at) "
                "VALUES (%s, %s, 'development', %s, NULL, 'import', %s, %s)",
                [(ids[keys[i][0]], staff[(i % 20) + 20 * ((i // 20) % 100)].pk, dt.date(2020, 1, 2), now, now) for i in chunk])
            cursor.executemany(
                "INSERT INTO customers_customerfigures (customer_id, period, end_assets, avg_daily_assets, net_commission) "
                "VALUES (%s, '2026-10', %s, %s, %s)",
                [(ids[keys[i][0]], Decimal((i * 31) % 5_000_000), Decimal((i * 37) % 5_000_000), Decimal((i * 7) % 10_000)) for i in chunk])
    connection.cursor().execute("ANALYZE")
    print(f"app database: {n:,} customers, relations and figures in {time.perf_counter() - started:.0f} s ({connection.vendor})")


def _build_snapshot(n: int, snapshot_dir: Path) -> None:
    """Publish a snapshot (the Parquet lake) whose customer months are synthetic; the other published tables empty."""
    from brokercrm.datacenter.pipelines.publish import publish_marts
    from brokercrm.datacenter.tests.snapshot import empty_published_warehouse

    started = time.perf_counter()
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    con = empty_published_warehouse()
    months = ", ".join(f"('{m}')" for m in MONTHS)
    con.execute("DROP TABLE dm.customer_month")
    con.execute(f"""CREATE TABLE dm.customer_month AS
        SELECT CAST(10000001 + i AS VARCHAR) AS key, m.period, DATE '2026-01-01' AS period_start, DATE '2026-01-31' AS period_end,
               21 AS trading_days, CAST((i * 37) % 5000000 AS DECIMAL(38,2)) AS avg_daily_assets,
               CAST((i * 31) % 5000000 AS DECIMAL(38,2)) AS end_assets, CAST(0 AS DECIMAL(38,2)) AS net_inflow,
               CAST((i * 13) % 900000 AS DECIMAL(38,2)) AS trade_amount, CAST(i % 40 AS BIGINT) AS trade_count,
               CAST(i % 20 AS BIGINT) AS active_days, CAST((i * 3) % 900 AS DECIMAL(38,2)) AS commission,
               CAST((i * 2) % 900 AS DECIMAL(38,2)) AS net_commission, CAST(NULL AS DECIMAL(18,6)) AS commission_rate
        FROM range({n}) t(i) CROSS JOIN (VALUES {months}) m(period) ORDER BY key, m.period""")
    publish_marts(con, snapshot_dir, full=True)
    con.close()
    print(f"published snapshot: {n * len(MONTHS):,} customer-month rows in {time.perf_counter() - started:.0f} s")


def fresh_postgres(url: str) -> None:
    """Drop and create the scratch PostgreSQL database DATABASE_URL names (only a name starting with 'bench')."""
    import psycopg

    base, name = url.rsplit("/", 1)
    if not name.startswith("bench"):
        sys.exit(f"DATABASE_URL names '{name}': use a scratch database whose name starts with 'bench' (it is dropped)")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


def timed(fn, samples: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for i in range(samples):
        connection.queries_log.clear()  # the log keeps 9,000 entries; a full one makes the capture count wrongly
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn(i)
            times.append((time.perf_counter() - started) * 1000)
        queries = max(queries, len(ctx.captured_queries))
    return times, queries


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 customers instead of 1,000,000")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep (and reuse) the SQLite database in this directory")
    parser.add_argument("--reuse", action="store_true", help="PostgreSQL: keep the scratch database when it is already built")
    args = parser.parse_args()
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        os.environ["BROKERCRM_DATA_DIR"] = str(args.data_dir)
    else:
        os.environ["BROKERCRM_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-customers-")
        atexit.register(shutil.rmtree, os.environ["BROKERCRM_DATA_DIR"], True)
    n = args.customers or (20_000 if args.quick else 1_000_000)
    if os.environ.get("DATABASE_URL") and not args.reuse:
        fresh_postgres(os.environ["DATABASE_URL"])
    import django
    from django.conf import settings

    django.setup()
    from django.test import Client
    from django.urls import get_resolver

    get_resolver().url_patterns  # import every view and API module now, not halfway through the timings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        settings.WAREHOUSE_SNAPSHOT_DIR = Path(tmp) / "published"
        world = build(n, settings.WAREHOUSE_SNAPSHOT_DIR)
        from brokercrm.customers.models import Customer

        rng = random.Random(11)
        keys = world["keys"]
        pick = [keys[rng.randrange(n)] for _ in range(args.samples)]
        admin, broker = Client(), Client()
        admin.force_login(world["admin"])
        broker.force_login(world["broker"])
        own = world["broker_customers"]

        def page(client, query: str):
            response = client.get("/customers/", {"q": query})
            assert response.status_code == 200, response.status_code
            return response

        cases = [
            ("baseline: Customer.objects.get(customer_no=…)", lambda i: Customer.objects.get(customer_no=pick[i][0])),
            ("list page, no search (admin, page 1 + count)", lambda i: page(admin, "")),
            ("search customer_no exact", lambda i: page(admin, pick[i][0])),
            ("search customer_no prefix (6 digits)", lambda i: page(admin, pick[i][0][:6])),
            ("search name prefix (surname + 1)", lambda i: page(admin, pick[i][1][:2])),
            ("search name contained (3 characters)", lambda i: page(admin, pick[i][1][-3:] if len(pick[i][1]) >= 3 else pick[i][1] + "伟")),
            ("search mobile in full", lambda i: page(admin, pick[i][2])),
            ("search mobile last four", lambda i: page(admin, pick[i][2][-4:])),
            ("search ID number in full", lambda i: page(admin, pick[i][3])),
            ("search ID last four", lambda i: page(admin, pick[i][3][-4:])),
            ("broker: search mobile last four (scoped)", lambda i: page(broker, pick[i][2][-4:])),
            ("API GET /api/customers?q=<mobile last four>", lambda i: admin.get("/api/customers", {"q": pick[i][2][-4:]})),
            ("360 page (admin)", lambda i: admin.get(f"/customers/{pick[i][0]}/")),
            ("360 page (broker, own customer)", lambda i: broker.get(f"/customers/{own[i % len(own)]}/")),
        ]
        for _label, fn in cases:  # warm caches and connections once
            fn(0)
        results = []
        for label, fn in cases:
            times, queries = timed(fn, args.samples)
            results.append((label, p(times, 50), p(times, 95), queries))
        base = results[0][2]
        print(f"\n{n:,} customers, {args.samples} samples each; target p95 < 100 ms")
        print(f"{'case':52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'p95/baseline':>13}")
        for label, p50, p95, queries in results:
            flag = "" if p95 < 100 else "  ABOVE TARGET"
            print(f"{label:52} {p50:8.1f} {p95:8.1f} {queries:8d} {p95 / base:12.0f}x{flag}")


if __name__ == "__main__":
    main()
