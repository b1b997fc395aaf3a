"""`brokercrm export <what> …`: CSV exports of the data center; each subcommand is one small function.

Reads the warehouse file read-only (settings.WAREHOUSE_PATH): `etl run` and the imports return only
after DW, marts and the snapshot are rebuilt, so the warehouse is current then; unlike the
published snapshot it also holds the facts that months cut by --from/--to are computed from.
"""
import argparse
import datetime as dt
from pathlib import Path

import duckdb
from django.conf import settings
from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.pipelines.dm import GRAINS, LEVELS


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _indicators_arguments(parser) -> None:
    parser.add_argument("--level", required=True, choices=LEVELS, help="customer, staff or branch")
    parser.add_argument("--grain", required=True, choices=GRAINS, help="month or day")
    parser.add_argument("--from", dest="date_from", required=True, type=_date, metavar="D1", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", required=True, type=_date, metavar="D2", help="last day (YYYY-MM-DD)")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file to write")


def _indicators(command: "Command", opts: dict) -> None:
    if opts["date_from"] > opts["date_to"]:
        raise CommandError("--from must not be after --to")
    with _warehouse() as con:
        rows = export_indicators(con, level=opts["level"], grain=opts["grain"], date_from=opts["date_from"],
                                 date_to=opts["date_to"], out=opts["out"])
    command.stdout.write(f"{opts['out']}: {rows} rows")


SUBCOMMANDS = {
    "indicators": ("Indicators of metrics.md by level and grain (<level>_indicators.csv format).",
                   _indicators_arguments, _indicators),
}


def register_export(name: str, help_text: str, add_arguments, handle) -> None:
    """Other apps offer `brokercrm export <name>` at start-up (segments, alerts): handle(command, options)."""
    SUBCOMMANDS.setdefault(name, (help_text, add_arguments, handle))


class _warehouse:
    """The warehouse opened read-only, with a message fit to show when it cannot be."""

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        path = Path(settings.WAREHOUSE_PATH)
        if not path.exists():
            raise CommandError(f"{path}: no warehouse yet; load a delivery first (brokercrm etl run)")
        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            raise CommandError(f"{path}: the warehouse is being written by a running load; retry when it ends ({exc})")
        return self.con

    def __exit__(self, *exc) -> None:
        self.con.close()


class Command(BrokercrmCommand):
    help = "Exports: `brokercrm export indicators --level … --grain … --from D1 --to D2 --out FILE`."

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{name: (help_text, add) for name, (help_text, add, _) in SUBCOMMANDS.items()})

    def handle(self, *args, **opts):
        SUBCOMMANDS[opts["subcommand"]][2](self, opts)
