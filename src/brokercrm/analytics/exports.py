"""`brokercrm export segments --period YYYY-MM --out FILE`: the subcommand offered to the data center's export command.

The export command (datacenter/management/commands/export.py) lists its subcommands in SUBCOMMANDS;
the entry to add there is `"segments": SEGMENTS_SUBCOMMAND`.
"""
import re
from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.analytics.models import BuiltPeriod, Membership
from brokercrm.core.exports import write_csv

COLUMNS = ["customer_no", "period", "tier", "groups", "rfm_r", "rfm_f", "rfm_m", "cluster"]
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def export_segments(*, period: str, out: Path) -> int:
    """Every customer's segments of one month, by customer_no; returns the number of rows written."""
    if not PERIOD.match(period):
        raise CommandError(f"--period {period!r}: a month is written YYYY-MM")
    if not BuiltPeriod.objects.filter(period=period).exists():
        built = ", ".join(BuiltPeriod.objects.values_list("period", flat=True)) or "none"
        raise CommandError(f"--period {period}: no segments for that month (months with segments: {built})")
    query = (Membership.objects.filter(period=period).order_by("customer__customer_no")
             .values_list("customer__customer_no", "period", "tier", "groups", "rfm_r", "rfm_f", "rfm_m", "cluster"))
    return write_csv(([customer_no, month, tier, groups.strip(";"), r, f, m, cluster]
                      for customer_no, month, tier, groups, r, f, m, cluster in query.iterator(chunk_size=20_000)),
                     COLUMNS, Path(out))


def _arguments(parser) -> None:
    parser.add_argument("--period", required=True, metavar="YYYY-MM", help="the month")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file to write")


def _handle(command, opts: dict) -> None:
    rows = export_segments(period=opts["period"], out=opts["out"])
    command.stdout.write(f"{opts['out']}: {rows} rows")


SEGMENTS_SUBCOMMAND = (
    "Segments of every customer in a month: customer_no, period, tier, groups (;-separated), rfm_r, rfm_f, rfm_m, cluster.",
    _arguments, _handle)
