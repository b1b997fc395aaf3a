import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.research import services
from brokercrm.research.models import ResearchPush, ResearchReport


def _import_arguments(sp) -> None:
    sp.add_argument("file", help="a PDF, Word (.docx), Markdown or text file")
    sp.add_argument("--title", default="", help="default: the first line of the text")
    sp.add_argument("--tags", default="", help="comma-separated")
    sp.add_argument("--securities", default="", help="comma-separated market+code, e.g. SH600519,SZ000001")
    sp.add_argument("--industries", default="", help="comma-separated")
    sp.add_argument("--audience", choices=ResearchReport.Audience.values, default=ResearchReport.Audience.INTERNAL)
    sp.add_argument("--source", choices=ResearchReport.Source.values, default=ResearchReport.Source.INSTITUTE)
    sp.add_argument("--type", dest="report_type", choices=ResearchReport.ReportType.values, default=ResearchReport.ReportType.INDUSTRY)
    sp.add_argument("--analyst", default="")
    sp.add_argument("--date", dest="report_date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD; default: today")
    sp.add_argument("--rating", choices=ResearchReport.Rating.values, default="")
    sp.add_argument("--target-price", dest="target_price", default=None)


def _push_arguments(sp) -> None:
    sp.add_argument("report_id", type=int)
    sp.add_argument("--channel", choices=ResearchPush.Channel.values, required=True)
    sp.add_argument("--segment", default="", help="also the customers of this segment")
    sp.add_argument("--no-holdings", dest="by_holdings", action="store_false", help="do not match holders of what the report covers")


class Command(BrokercrmCommand):
    help = ("Research library: `brokercrm research import FILE [--title T] [--tags a,b] [--securities SH600519,SZ000001] "
            "[--industries …] [--audience internal|clients]` (prints the new id on the last line); `brokercrm research push ID --channel email|sms`.")

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{
            "import": ("Store a report, extract and index its text; nothing is stored when the file cannot be read.", _import_arguments),
            "push": ("Send a clients' report to the customers holding what it covers (and/or of a segment) through the outbox.", _push_arguments),
        })

    def handle(self, *args, **opts):
        if opts["subcommand"] == "push":
            result = services.report_push(actor=None, report_id=opts["report_id"], channel=opts["channel"], segment=opts["segment"],
                                          by_holdings=opts["by_holdings"])
            self.stdout.write(f"research push {result.push_id}: {result.matched} matched, {result.queued} queued, "
                              f"{result.no_address} without an address, {result.already_sent} already sent")
            return
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        fields = {name: opts[name] for name in ("title", "tags", "securities", "industries", "audience", "source", "report_type", "analyst",
                                                "report_date", "rating", "target_price")}
        report = services.report_import(actor=None, file_name=path.name, data=path.read_bytes(), **fields)
        self.stdout.write(f"research: stored \"{report.title}\" ({len(report.body_text)} characters of text)")
        self.stdout.write(str(report.pk))
