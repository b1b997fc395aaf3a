from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.org import services


class Command(BrokercrmCommand):
    help = "Staff: `brokercrm staff import FILE.csv` (format in source-interface.md; all-or-nothing)."

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{"import": ("Import staff.csv: every bad row is reported; nothing is imported when any row is bad.",
                                                    lambda sp: sp.add_argument("file"))})

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        # wait=True: the refresh (attribution, marts) is done before the command returns
        result = services.staff_import(actor=None, data=path.read_bytes(), file_name=opts["file"], wait=True)
        self.stdout.write(f"staff: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")
