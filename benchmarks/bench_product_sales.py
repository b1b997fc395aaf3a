"""Product sales of one month at staff level over a loaded data directory (the demo's), every product in any market
(issue 15), next to the former definition as the baseline: the buys of the off-exchange (OF) products only, read and
summed the same way in the same run. Also the strategy suitability check of one product for every open customer.

Usage: BROKERCRM_DATA_DIR=/tmp/demo-x python benchmarks/bench_product_sales.py [--month YYYY-MM] [--repeat N]
"""
import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def best(repeat: int, fn):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="YYYY-MM (default: the month of the last loaded day)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from brokercrm.customers.models import Customer
    from brokercrm.datacenter.facade import latest_loaded_date, security_buys
    from brokercrm.products.models import Product
    from brokercrm.products.sales import product_sales
    from brokercrm.products.selectors import customer_ids_unsuitable

    last = latest_loaded_date()
    month = args.month or f"{last:%Y-%m}"
    start = dt.date(int(month[:4]), int(month[5:]), 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    def baseline():
        of = list(Product.objects.filter(market="OF").values_list("market", "security_code"))
        sums: dict[str, Decimal] = {}
        for buy in security_buys(securities=of, date_from=start, date_to=end):
            sums[buy["staff_no"] or "UNATTRIBUTED"] = sums.get(buy["staff_no"] or "UNATTRIBUTED", Decimal(0)) + buy["amount"]
        return sums

    base_s, base = best(args.repeat, baseline)
    new_s, new = best(args.repeat, lambda: product_sales(level="staff", date_from=start, date_to=end))
    print(f"month {month}: {Product.objects.count()} products ({Product.objects.filter(market='OF').count()} OF)")
    print(f"baseline (OF buys only): {base_s * 1000:8.1f} ms, {sum(base.values()):,.2f} sold")
    print(f"product_sales (any market): {new_s * 1000:8.1f} ms, {sum(s.product_sales_amount for s in new.values()):,.2f} sold, "
          f"{sum(s.product_sales_count for s in new.values())} buys")
    print(f"ratio to baseline: {new_s / base_s:.2f}×")

    product = Product.objects.filter(market="OF").order_by("-risk_level", "security_code").first()
    ids = frozenset(Customer.objects.exclude(status="closed").values_list("id", flat=True))
    check_s, refused = best(args.repeat, lambda: customer_ids_unsuitable(
        product_key=f"{product.market}.{product.security_code}", customer_ids=ids, on=last))
    print(f"suitability of {product.market}.{product.security_code} ({product.risk_level}) for {len(ids)} customers: "
          f"{check_s * 1000:.1f} ms, {len(refused)} unsuitable; {check_s / base_s:.2f}× the baseline")


if __name__ == "__main__":
    main()
