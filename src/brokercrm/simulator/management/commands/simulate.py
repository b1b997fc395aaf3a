"""`brokercrm simulate`: write the simulated trading system's daily extract (interface v1)."""
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from brokercrm.simulator.facade import SimulationError, simulate, stored_arguments


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--start {text!r} is not a date in YYYY-MM-DD form") from error


class Command(BaseCommand):
    help = ("Write a realistic brokerage's trading-system extract: one folder per XSHG trading day "
            "(manifest.json last) plus staff.csv and relations.csv, deterministic for a seed and arguments. "
            "See docs/simulator.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="delivery root directory (empty or new, or an existing delivery with --append)")
        parser.add_argument("--start", help="first business date YYYY-MM-DD; the first trading day on or after it is used")
        parser.add_argument("--days", required=True, type=int, help="number of trading days to write")
        parser.add_argument("--customers", type=int, help="accounts open on the first day (new ones open on top)")
        parser.add_argument("--staff", type=int, help="staff employed on the first day (at least 3 per branch)")
        parser.add_argument("--branches", type=int, help="number of branches (营业部)")
        parser.add_argument("--seed", type=int, help="random seed; the same seed and arguments give byte-identical files")
        parser.add_argument("--closures", type=Path, action="append", default=[],
                            help="exchange closures (CSV date,reason) of a year after the calendar package's last; repeatable")
        parser.add_argument("--append", action="store_true",
                            help="continue the delivery in --out with the same world for --days more trading days")

    def handle(self, *args, **options) -> None:
        out: Path = options["out"]
        world = ("customers", "staff", "branches", "seed")
        try:
            if options["append"]:
                stored = stored_arguments(out)
                for name in world:
                    options[name] = stored[name] if options[name] is None else options[name]
                start = _date(options["start"]) if options["start"] else date.fromisoformat(stored["start"])
            else:
                missing = [f"--{name}" for name in ("start", *world) if options[name] is None]
                if missing:
                    raise CommandError(f"missing {', '.join(missing)} (required unless --append)")
                start = _date(options["start"])
            bars: list[tqdm] = []

            def progress(done: int, total: int) -> None:
                # The bar appears once the arguments are accepted and the first day is written.
                if not bars:
                    bars.append(tqdm(total=total, unit="day", desc="simulate", disable=options["verbosity"] == 0))
                bars[0].update(done - bars[0].n)

            try:
                summary = simulate(
                    out=out, start=start, days=options["days"], customers=options["customers"], staff=options["staff"],
                    branches=options["branches"], seed=options["seed"], append=options["append"], progress=progress,
                    closures=tuple(options["closures"]))
            finally:
                for bar in bars:
                    bar.close()
        except SimulationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"wrote {summary.days_written} trading days to {summary.root} "
                          f"({summary.first_date.isoformat()} … {summary.last_date.isoformat()}, "
                          f"{summary.customers_total} customers)")
