"""`brokercrm calendar import|show|export`: the trading calendar's closures, administered by operations staff."""
import datetime as dt
import itertools
from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.core.exports import write_csv
from brokercrm.datacenter import calendar, services


def _year(value: str) -> int:
    if not (value.isdigit() and len(value) == 4):
        raise CommandError(f"'{value}' is not a year (YYYY)")
    return int(value)


class Command(BrokercrmCommand):
    help = ("Trading calendar: `brokercrm calendar import FILE.csv` (date,reason; all or nothing), "
            "`calendar show --year YYYY`, `calendar export --year YYYY --out FILE.csv`. See docs/calendar.md.")

    def add_arguments(self, parser):
        def import_args(sp):
            sp.add_argument("file", help="closures CSV: header date,reason, one weekday the exchanges close per line")
            sp.add_argument("--year", type=_year, action="append", default=[],
                            help="the year(s) the file defines (default: the years of its dates, or the year in the "
                                 "file name for a header-only file); repeatable")

        def show_args(sp):
            sp.add_argument("--year", type=_year, required=True)

        def export_args(sp):
            sp.add_argument("--year", type=_year, required=True)
            sp.add_argument("--out", required=True, help="CSV with one column, date: the year's trading days")

        add_subcommands(self, parser, **{
            "import": ("Import a year's exchange closures (replaces an earlier import of that year; audited).", import_args),
            "show": ("Show a year's trading days and closures, and where they come from.", show_args),
            "export": ("Write a year's trading days as CSV (column date).", export_args),
        })

    def handle(self, *args, **opts):
        getattr(self, f"_{opts['subcommand']}")(opts)

    def _import(self, opts) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        result = services.closures_import(actor=None, data=path.read_bytes(), file_name=opts["file"], years=opts["year"])
        for year, count in result.stored.items():
            self.stdout.write(f"{year}: {count} closure(s) imported from {path.name}")
        for year in result.confirmed:
            self.stdout.write(f"{year}: agrees with the calendar package, which stays the source; nothing stored")
        self._warn()

    def _show(self, opts) -> None:
        self._warn()
        view = calendar.current().year_view(opts["year"])
        if view.source == calendar.SOURCE_UNKNOWN:
            self.stdout.write(f"{view.year}: unknown — the exchange closures of {view.year} are not imported; "
                              f"every date of {view.year} is refused until `{calendar.IMPORT_COMMAND}`")
            return
        origin = "calendar package" if view.source == calendar.SOURCE_PACKAGE else "imported"
        self.stdout.write(f"{view.year}: {len(view.trading_days)} trading days, {len(view.closures)} weekday closure(s); "
                          f"source: {origin}, {view.origin}")
        self.stdout.write("closures:")
        for day, reason in view.closures:
            self.stdout.write(f"  {day.isoformat()} {day:%a}  {reason or '-'}  ({view.source})")
        self.stdout.write("trading days:")
        for month, days in itertools.groupby(view.trading_days, key=lambda d: d.month):
            days = list(days)
            self.stdout.write(f"  {view.year}-{month:02d} ({len(days):2d}): {' '.join(f'{d.day:02d}' for d in days)}")

    def _export(self, opts) -> None:
        days = calendar.current().trading_days(*_bounds(opts["year"]))
        count = write_csv(([d] for d in days), ["date"], Path(opts["out"]))
        self.stdout.write(f"{opts['out']}: {count} trading days of {opts['year']}")

    def _warn(self) -> None:
        warning = calendar.calendar_warning()
        if warning:
            self.stdout.write(f"WARNING: {warning}")


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    return max(dt.date(year, 1, 1), calendar.FIRST_SESSION), dt.date(year, 12, 31)
