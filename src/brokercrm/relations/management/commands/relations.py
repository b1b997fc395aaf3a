from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.core.exports import write_csv
from brokercrm.relations import services


class Command(BrokercrmCommand):
    help = "Broker relations: `brokercrm relations import FILE.csv`, `brokercrm relations export --out FILE.csv`."

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{
            "import": ("Import relations.csv (all or nothing); staff marts are rebuilt before it returns.",
                       lambda sp: sp.add_argument("file")),
            "export": ("Export relations in force or past, sorted by customer_no, relation_type, start_date, staff_no.",
                       lambda sp: sp.add_argument("--out", required=True)),
        })

    def handle(self, *args, **opts):
        if opts["subcommand"] == "export":
            count = write_csv(services.relation_export_rows(), services.RELATION_COLUMNS, Path(opts["out"]))
            self.stdout.write(f"relations: {count} rows written to {opts['out']}")
            return
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        # wait=True: the refresh (attribution, marts) is done before the command returns
        result = services.relation_import(actor=None, data=path.read_bytes(), file_name=opts["file"], wait=True)
        self.stdout.write(f"relations: {result.created} created, {result.ended} ended, {result.unchanged} unchanged")
