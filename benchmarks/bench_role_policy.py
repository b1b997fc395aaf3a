"""What roles and menus as data cost each request, next to one indexed query.

Builds a throwaway SQLite app database, edits every shipped role (pages, unmasking), stores each role's menu with an
added item, then per simulated request (a fresh user object, as each request loads one) times: the page check plus
the user's menu from the per-process cache (the normal case), the same after a change (the cache re-read), and the
baseline `User.objects.get(pk=…)` measured in the same run. Prints µs per request and ratios to the baseline.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def _timed(fn, n: int) -> float:
    """Median µs of fn() over n calls."""
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="simulated requests per measurement")
    args = parser.parse_args()
    os.environ["BROKERCRM_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-roles-")

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")
    from brokercrm.org import admin_services, menus_data
    from brokercrm.org.models import User
    from brokercrm.org.policy import config_cache_reset, role_pages, user_page_allowed
    from brokercrm.org.roles import Role

    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_superuser=True)
    for code in Role.values:
        admin_services.role_save(actor=admin, code=code, name=code, scope_kind="company", pages=role_pages(code), unmask_fields={"mobile"})
        menus_data.menu_item_add(actor=admin, role_code=code, section="外部链接", kind="link", target="https://www.sse.com.cn/", label="上交所")
    user_id = User.objects.create(username="bench-ho", role=Role.HEAD_OFFICE).pk

    def request_user():
        return User.objects.get(pk=user_id)

    def page_and_menu(user):
        assert user_page_allowed(user, "customers:list")
        assert menus_data.menu_for_user(user)

    baseline = _timed(request_user, args.requests)
    users = [request_user() for _ in range(args.requests)]
    warm_users = iter(users)
    page_and_menu(request_user())
    warm = _timed(lambda: page_and_menu(next(warm_users)), args.requests)
    cold_users = iter(request_user() for _ in range(args.requests // 10))

    def after_change():
        config_cache_reset()
        page_and_menu(next(cold_users))

    cold = _timed(after_change, args.requests // 10)
    print(f"baseline  User.objects.get(pk)              : {baseline:8.1f} µs")
    print(f"cached    page check + menu per request     : {warm:8.1f} µs = {warm / baseline:5.2f}× the baseline")
    print(f"re-read   the same after a role/menu change : {cold:8.1f} µs = {cold / baseline:5.2f}× the baseline")


if __name__ == "__main__":
    main()
