from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.core.errors import DomainError
from brokercrm.core.exports import write_csv
from brokercrm.evaluation import levels, services, targets
from brokercrm.evaluation.indicators import parse_period
from brokercrm.evaluation.models import Scheme


class Command(BrokercrmCommand):
    help = ("Evaluation: `brokercrm evaluation run --scheme CODE --period P` scores and ranks the scheme's staff "
            "(P = YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY; --scheme all = every active scheme of that period kind); "
            "`levels-review --month YYYY-MM` proposes level changes; `targets-import FILE` / `targets-export --out FILE [--period P]` move targets as CSV; `schemes-export --out FILE` / `schemes-import FILE` move schemes as YAML.")

    def add_arguments(self, parser):
        add_subcommands(self, parser, **{
            "run": ("Score and rank the staff of a scheme for a period.",
                    lambda sp: (sp.add_argument("--scheme", required=True), sp.add_argument("--period", required=True))),
            "levels-review": ("The monthly level review: propose promotions, demotions and probation results (approved in the "
                              "workflow inbox, effective next month).", lambda sp: sp.add_argument("--month", required=True)),
            "targets-import": ("Import targets (period,scope,key,indicator,target): every problem as FILE:LINE:COLUMN; nothing "
                               "changes on any problem.", lambda sp: sp.add_argument("file")),
            "targets-export": ("Write the approved targets as CSV (period,scope,key,indicator,target).",
                               lambda sp: (sp.add_argument("--out", required=True), sp.add_argument("--period", default=""))),
            "schemes-export": ("Write the evaluation schemes as YAML.", lambda sp: sp.add_argument("--out", required=True)),
            "schemes-import": ("Import schemes from YAML: every problem is reported; nothing changes on any problem.",
                               lambda sp: sp.add_argument("file")),
        })

    def handle(self, *args, **opts):
        sub = opts["subcommand"]
        if sub == "run":
            kind = parse_period(opts["period"]).kind
            if opts["scheme"] == "all":
                schemes = list(Scheme.objects.filter(active=True, period_kind=kind))
            else:
                scheme = Scheme.objects.filter(code=opts["scheme"]).first()
                if scheme is None:
                    raise DomainError(f"unknown scheme '{opts['scheme']}'", field="scheme")
                schemes = [scheme]
            for scheme in schemes:
                run = services.evaluation_run(actor=None, scheme=scheme, period=opts["period"])
                self.stdout.write(f"{scheme.code} {run.period}: {run.scores.count()} staff scored")
                for note in filter(None, run.note.splitlines()):
                    self.stdout.write(f"note: {note}")
        elif sub == "levels-review":
            for change in levels.level_review(actor=None, month=opts["month"]):
                self.stdout.write(f"{change.staff.staff_no} {change.kind}: {change.from_level or '—'} → {change.level or '—'} "
                                  f"from {change.effective_from} (awaiting approval)")
        elif sub == "targets-import":
            path = Path(opts["file"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            self.stdout.write(f"{targets.targets_import(actor=None, data=path.read_bytes(), file_name=opts['file'])} targets imported")
        elif sub == "targets-export":
            count = write_csv(targets.target_rows(period=opts["period"]), targets.TARGET_COLUMNS, Path(opts["out"]))
            self.stdout.write(f"{opts['out']}: {count} rows")
        elif sub == "schemes-export":
            Path(opts["out"]).write_text(services.schemes_export(), encoding="utf-8")
            self.stdout.write(f"{opts['out']}: schemes written")
        else:
            path = Path(opts["file"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            count = services.schemes_import(actor=None, data=path.read_bytes(), file_name=opts["file"])
            self.stdout.write(f"{count} schemes imported")
