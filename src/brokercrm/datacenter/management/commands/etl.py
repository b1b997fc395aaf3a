import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.datacenter import jobs


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from exc


class Command(BrokercrmCommand):
    help = ("Data center jobs: `brokercrm etl run --source DIR [--date D | --from D1 --to D2]` loads every complete day "
            "not yet loaded (or those named), completes the steps an interrupted load left undone, rebuilds the marts and "
            "returns when they are published; exits 1 while another load is running.")

    def add_arguments(self, parser):
        def run_args(sp):
            sp.add_argument("--source", required=True, help="delivery root (one folder per business date)")
            sp.add_argument("--date", type=_date, action="append", help="load (or reload) this business date; repeatable")
            sp.add_argument("--from", dest="date_from", type=_date, help="first business date to (re)load")
            sp.add_argument("--to", dest="date_to", type=_date, help="last business date to (re)load")

        add_subcommands(self, parser, run=("Load deliveries into the warehouse and rebuild the marts.", run_args))

    def handle(self, *args, **opts):
        if opts["date"] and (opts["date_from"] or opts["date_to"]):
            raise CommandError("use either --date or --from/--to")
        bar = tqdm(total=0, unit="step", desc="etl", disable=None, file=self.stderr._out)

        def progress(done: int, total: int, label: str) -> None:
            bar.total = total
            bar.set_postfix_str(label)
            bar.update(done - bar.n)

        try:
            outcome = jobs.etl_run(source=Path(opts["source"]), dates=opts["date"], date_from=opts["date_from"],
                                   date_to=opts["date_to"], progress=progress)
        finally:
            bar.close()
        self.stdout.write(jobs.etl_outcome_text(outcome))
