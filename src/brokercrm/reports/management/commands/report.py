"""`brokercrm report query|run|export|import`: the semantic layer and the saved reports from the command line.

Runs as the system (every customer in scope); each subcommand is one small function.
"""
import argparse
import datetime as dt
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.http import Http404

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.reports.catalogue import column_title
from brokercrm.reports.files import FORMATS, write_table
from brokercrm.reports.selectors import report_get, report_query, report_run
from brokercrm.org.facade import User
from brokercrm.reports.services import reports_export, reports_import, subscription_create, subscriptions_deliver


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _query_arguments(parser) -> None:
    parser.add_argument("--measures", required=True, metavar="M1,M2", help="measures, comma-separated")
    parser.add_argument("--by", default="", metavar="D1,D2", help="dimensions, comma-separated")
    parser.add_argument("--from", dest="date_from", required=True, type=_date, metavar="D1", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", required=True, type=_date, metavar="D2", help="last day (YYYY-MM-DD)")
    parser.add_argument("--where", default="", metavar="EXPR", help="a filter in the formula language")
    parser.add_argument("--format", default="csv", choices=FORMATS)
    parser.add_argument("--out", required=True, type=Path, metavar="FILE")


def _query(command, opts) -> None:
    result = report_query(user=None, measures=_names(opts["measures"]), by=_names(opts["by"]),
                          date_from=opts["date_from"], date_to=opts["date_to"], where=opts["where"])
    rows = write_table(result.columns, [column_title(c) for c in result.columns], result.rows, opts["out"], opts["format"])
    command.stdout.write(f"{opts['out']}: {rows} rows")


def _run_arguments(parser) -> None:
    parser.add_argument("name", help="the saved report's name")
    parser.add_argument("--period", required=True, metavar="P", help="YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD or D1..D2")
    parser.add_argument("--format", default="csv", choices=FORMATS)
    parser.add_argument("--out", required=True, type=Path, metavar="FILE")


def _run(command, opts) -> None:
    try:
        report = report_get(None, opts["name"])
    except Http404 as exc:
        raise CommandError(f"no report named {opts['name']!r}") from exc
    table = report_run(user=None, report=report, period=opts["period"])
    rows = write_table(table.columns, table.titles, table.rows, opts["out"], opts["format"])
    command.stdout.write(f"{opts['out']}: {rows} rows")


def _file_argument(parser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE.yaml")


def _export(command, opts) -> None:
    count = reports_export(opts["file"])
    command.stdout.write(f"{opts['file']}: {count} reports")


def _import(command, opts) -> None:
    if not opts["file"].exists():
        raise CommandError(f"{opts['file']}: no such file")
    count = reports_import(actor=None, data=opts["file"].read_bytes(), file=str(opts["file"]))
    command.stdout.write(f"{opts['file']}: {count} reports imported")


def _subscribe_arguments(parser) -> None:
    parser.add_argument("name", help="the saved report's name")
    parser.add_argument("--cron", required=True, help='when to deliver, e.g. "0 8 1 * *" (08:00 on the 1st)')
    parser.add_argument("--roles", default="", help="recipient roles, comma-separated (each gets their own scope's copy)")
    parser.add_argument("--users", default="", help="recipient usernames, comma-separated")
    parser.add_argument("--format", default="xlsx", choices=FORMATS)


def _subscribe(command, opts) -> None:
    try:
        report = report_get(None, opts["name"])
    except Http404 as exc:
        raise CommandError(f"no report named {opts['name']!r}") from exc
    names = _names(opts["users"])
    users = list(User.objects.filter(username__in=names))
    missing = sorted(set(names) - {u.username for u in users})
    if missing:
        raise CommandError(f"--users: no user named {missing[0]!r}")
    subscription = subscription_create(actor=None, report=report, cron=opts["cron"], roles=_names(opts["roles"]),
                                       users=users, fmt=opts["format"])
    command.stdout.write(f"subscription {subscription.pk}: {report.name} at {subscription.cron}")


def _deliver_arguments(parser) -> None:
    parser.add_argument("--loop", action="store_true", help="keep delivering, every --interval seconds (a worker)")
    parser.add_argument("--interval", type=int, default=60, help="seconds between passes with --loop")


def _deliver(command, opts) -> None:
    while True:
        command.stdout.write(f"{subscriptions_deliver()} messages queued in the outbox")
        if not opts["loop"]:
            return
        time.sleep(opts["interval"])


SUBCOMMANDS = {
    "query": ("Measures by dimensions for a period: columns D…, M… sorted by the dimensions.", _query_arguments, _query),
    "run": ("Run a saved report for a period.", _run_arguments, _run),
    "export": ("Write every report definition (and the role dashboards) to a YAML file.", _file_argument, _export),
    "import": ("Create or update report definitions from a YAML file (all or nothing).", _file_argument, _import),
    "subscribe": ("Deliver a report by e-mail on a schedule to roles or users.", _subscribe_arguments, _subscribe),
    "deliver": ("Queue the due subscriptions' e-mails in the outbox (run it every few minutes, e.g. from cron).",
                _deliver_arguments, _deliver),
}


class Command(BrokercrmCommand):
    help = "Reports: `brokercrm report query --measures M1,M2 --by D1,D2 --from D1 --to D2 --out FILE`, run, export, import."

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{name: (text, add) for name, (text, add, _) in SUBCOMMANDS.items()})

    def handle(self, *args, **opts):
        SUBCOMMANDS[opts["subcommand"]][2](self, opts)
