from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.compensation import services
from brokercrm.compensation.exports import export_csv
from brokercrm.compensation.models import PayrollRun
from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.evaluation.facade import parse_period


def _period(sp):
    sp.add_argument("--period", required=True, help="the month, YYYY-MM")


class Command(BrokercrmCommand):
    help = ("Payroll: `brokercrm payroll run --period YYYY-MM` computes the month's draft with the active pay structures; "
            "`brokercrm payroll export --period YYYY-MM --out FILE` writes staff_no,item_code,amount; "
            "`rules-export --out FILE` / `rules-import FILE` move pay rules as YAML; "
            "`inputs-import FILE` loads compliance coefficients, product sales, customer costs and deductions.")

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{
            "run": ("Compute (or recompute) the month's draft payroll.", _period),
            "export": ("Write one row per non-zero pay line: staff_no,item_code,amount (2 decimals).",
                       lambda sp: (_period(sp), sp.add_argument("--out", required=True))),
            "rules-export": ("Write the pay rules (grades, items, tier tables, constants, structures) as YAML.",
                             lambda sp: sp.add_argument("--out", required=True)),
            "rules-import": ("Import pay rules from YAML: every problem is reported; nothing changes on any problem.",
                             lambda sp: sp.add_argument("file")),
            "inputs-import": ("Import pay inputs (CSV: period,staff_no,name,value,note) for draft months; all or nothing.",
                              lambda sp: sp.add_argument("file")),
        })

    def handle(self, *args, **opts):
        sub = opts["subcommand"]
        if sub == "run":
            run = services.payroll_run_calculate(actor=None, period=opts["period"])
            self.stdout.write(f"payroll {run.period}: {run.payslips.count()} payslips, draft")
            for note in filter(None, run.note.splitlines()):
                self.stdout.write(f"note: {note}")
        elif sub == "export":
            label = parse_period(opts["period"]).label
            run = PayrollRun.objects.filter(period=label).first()
            if run is None:
                raise CommandError(f"no payroll for {label}: run `brokercrm payroll run --period {label}` first")
            rows = export_csv(run, Path(opts["out"]))
            self.stdout.write(f"{opts['out']}: {rows} rows")
        elif sub == "rules-export":
            Path(opts["out"]).write_text(services.pay_rules_export(), encoding="utf-8")
            self.stdout.write(f"{opts['out']}: pay rules written")
        elif sub == "inputs-import":
            path = Path(opts["file"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            count = services.pay_inputs_import(actor=None, data=path.read_bytes(), file_name=opts["file"])
            self.stdout.write(f"{count} pay inputs imported")
        else:
            path = Path(opts["file"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            counts = services.pay_rules_import(actor=None, data=path.read_bytes(), file_name=opts["file"])
            self.stdout.write("imported: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
