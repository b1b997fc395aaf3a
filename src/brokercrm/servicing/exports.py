"""`brokercrm export alerts --from D1 --to D2 --out FILE`: alerts with their responsible staff and status;
`brokercrm export tasks --from D1 --to D2 --out FILE`: service tasks due in the range (docs/servicing.md).

Columns customer_no, rule, biz_date, staff_no, status; sorted by biz_date, customer_no, rule. staff_no is
the staff member the alert was routed to (service relation's, else development relation's, on biz_date),
empty when neither. The command-line export is company-wide (an operator's tool, like every `export`).
"""
import argparse
import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.exports import write_csv
from brokercrm.datacenter.facade import register_export
from brokercrm.servicing.models import Alert, ServiceTask

ALERT_COLUMNS = ["customer_no", "rule", "biz_date", "staff_no", "status"]
TASK_COLUMNS = ["customer_no", "kind", "source", "staff_no", "due_date", "status"]
# Issue 16's four columns, then the suitability reason codes of an unsuitable_content row (issue 15), `;`-separated.
PREVIEW_COLUMNS = ["customer_no", "staff_no", "channel", "blocked_reason", "reasons"]


def export_alerts(*, date_from: dt.date, date_to: dt.date, out: Path) -> int:
    rows = (Alert.objects.filter(biz_date__gte=date_from, biz_date__lte=date_to)
            .order_by("biz_date", "customer__customer_no", "rule")
            .values_list("customer__customer_no", "rule", "biz_date", "staff__staff_no", "status"))
    return write_csv((list(row) for row in rows.iterator(chunk_size=5000)), ALERT_COLUMNS, Path(out))


def task_source(source_key: str) -> str:
    """What generated a task, without the customer: `strategy:<id>`, `alert:<id>`, `visit_new`, `care:birthday`, `manual`…"""
    parts = source_key.split(":")
    return ":".join(parts[:2]) if parts[0] in ("strategy", "alert", "care", "visit_key", "visit_exception") else parts[0]


def export_tasks(*, date_from: dt.date, date_to: dt.date, out: Path) -> int:
    """Service tasks due in [from, to], by due date, customer, id."""
    rows = (ServiceTask.objects.filter(due_date__gte=date_from, due_date__lte=date_to)
            .order_by("due_date", "customer__customer_no", "id")
            .values_list("customer__customer_no", "kind", "source_key", "staff__staff_no", "due_date", "status"))
    return write_csv(([no, kind, task_source(key), staff_no, due, status] for no, kind, key, staff_no, due, status in
                      rows.iterator(chunk_size=5000)), TASK_COLUMNS, Path(out))


def export_preview(rows, out: Path) -> int:
    """A strategy preview as CSV: who would be served, by whom, on which channel, and why not."""
    return write_csv(([r.customer_no, r.staff_no, r.channel, r.blocked_reason, ";".join(r.reasons)] for r in rows),
                     PREVIEW_COLUMNS, Path(out))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def alerts_arguments(parser) -> None:
    parser.add_argument("--from", dest="date_from", required=True, type=_date, metavar="D1", help="first business date (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", required=True, type=_date, metavar="D2", help="last business date (YYYY-MM-DD)")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file to write")


def alerts_subcommand(command, opts: dict) -> None:
    if opts["date_from"] > opts["date_to"]:
        raise CommandError("--from must not be after --to")
    rows = export_alerts(date_from=opts["date_from"], date_to=opts["date_to"], out=opts["out"])
    command.stdout.write(f"{opts['out']}: {rows} rows")


def tasks_subcommand(command, opts: dict) -> None:
    if opts["date_from"] > opts["date_to"]:
        raise CommandError("--from must not be after --to")
    rows = export_tasks(date_from=opts["date_from"], date_to=opts["date_to"], out=opts["out"])
    command.stdout.write(f"{opts['out']}: {rows} rows")


SUBCOMMAND = ("Abnormal-activity alerts (customer_no, rule, biz_date, staff_no, status).", alerts_arguments, alerts_subcommand)


TASKS_SUBCOMMAND = ("Service tasks due in the range (customer_no, kind, source, staff_no, due_date, status).",
                    alerts_arguments, tasks_subcommand)


def register_export_subcommand() -> None:
    """Offer `brokercrm export alerts` and `brokercrm export tasks`."""
    register_export("alerts", *SUBCOMMAND)
    register_export("tasks", *TASKS_SUBCOMMAND)
