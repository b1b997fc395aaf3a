from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.products import services


class Command(BrokercrmCommand):
    help = "Products: `brokercrm products import FILE.csv` (all-or-nothing) and `brokercrm products export --out FILE.csv`."

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{
            "import": ("Import products (columns market,security_code,name,product_type,risk_level,min_subscription,status); "
                       "every bad row is reported; nothing is imported when any row is bad.", lambda sp: sp.add_argument("file")),
            "export": ("Export the product shelf in the import's columns.", lambda sp: sp.add_argument("--out", required=True)),
        })

    def handle(self, *args, **opts):
        if opts["subcommand"] == "export":
            count = services.product_export(out=Path(opts["out"]))
            self.stdout.write(f"products: {count} exported to {opts['out']}")
            return
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        result = services.product_import(actor=None, data=path.read_bytes(), file_name=opts["file"])
        self.stdout.write(f"products: {result.created} created, {result.updated} updated")
