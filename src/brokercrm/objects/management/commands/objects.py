"""`brokercrm objects import FILE.yaml`, `objects export --out FILE.yaml [--type CODE]`, `objects escalate [--today D]`."""
import datetime as dt
from pathlib import Path

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.objects.services import records_escalate_overdue, types_export, types_import


def _in_arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="a YAML file of object types (format: brokercrm-objects/1)")


def _out_arguments(parser) -> None:
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the YAML file to write")
    parser.add_argument("--type", action="append", dest="types", metavar="CODE", help="only this type (repeatable)")


def _escalate_arguments(parser) -> None:
    parser.add_argument("--today", type=dt.date.fromisoformat, help="the day to judge deadlines by (default: today)")


class Command(BrokercrmCommand):
    help = "Business object types: import or export their definitions (YAML, versioned); escalate overdue records."

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{
            "import": ("Create or change object types from YAML (each change is a new version; all or nothing).", _in_arguments),
            "export": ("Write the object types' current definitions as YAML.", _out_arguments),
            "escalate": ("Hand overdue records' open tasks to their escalation role (e.g. the branch manager).", _escalate_arguments),
        })

    def handle(self, *args, **opts):
        if opts["subcommand"] == "import":
            for code, version, changed in types_import(actor=None, data=opts["file"].read_bytes(), file=str(opts["file"])):
                self.stdout.write(f"{code}: version {version}{'' if changed else ' (unchanged)'}")
        elif opts["subcommand"] == "export":
            opts["out"].write_text(types_export(codes=opts["types"]), encoding="utf-8")
            self.stdout.write(f"{opts['out']}: written")
        else:
            self.stdout.write(f"{records_escalate_overdue(today=opts['today'])} record(s) escalated")
