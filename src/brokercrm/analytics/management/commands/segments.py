"""`brokercrm segments build [--full]`, `segments config-export --out FILE`, `segments config-import FILE`."""
from pathlib import Path

from brokercrm.analytics.jobs import segments_build
from brokercrm.analytics.yamlio import segment_config_export, segment_config_import
from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.datacenter.facade import snapshot_published


def _build_arguments(parser) -> None:
    parser.add_argument("--full", action="store_true", help="recompute every month (after changing tiers, groups or pins)")


def _out_arguments(parser) -> None:
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the YAML file to write")


def _in_arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="a YAML file as written by config-export")


class Command(BrokercrmCommand):
    help = "Customer segments: recompute them, export or import their definitions (YAML)."

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{
            "build": ("Recompute the segments from the published marts (returns when done).", _build_arguments),
            "config-export": ("Write the tiers, behaviour groups and settings as YAML.", _out_arguments),
            "config-import": ("Replace the tiers, behaviour groups and settings from YAML, then recompute every month.", _in_arguments),
        })

    def handle(self, *args, **opts):

        if opts["subcommand"] == "build":
            counts = segments_build(full=opts["full"])
            self.stdout.write(f"segments: {counts['analytics.membership']} customer months written")
        elif opts["subcommand"] == "config-export":
            opts["out"].write_text(segment_config_export(), encoding="utf-8")
            self.stdout.write(f"{opts['out']}: written")
        else:
            counts = segment_config_import(actor=None, data=opts["file"].read_bytes(), file_name=str(opts["file"]))
            self.stdout.write(f"{opts['file']}: {counts['tiers']} tiers, {counts['groups']} groups imported")
            if snapshot_published():
                built = segments_build(full=True)
                self.stdout.write(f"segments: {built['analytics.membership']} customer months written")
