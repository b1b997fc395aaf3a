"""`brokercrm validate DIR`: check a delivery (root or one day folder) against the interface."""
from pathlib import Path

from django.core.management.base import BaseCommand

from brokercrm.core.errors import InputRejected
from brokercrm.datacenter.sources.config import default_source_config, load_source_config
from brokercrm.datacenter.validation import validate_delivery_report


class Command(BaseCommand):
    help = (
        "Check a delivery of the trading system's daily extract (source-interface.md) against every rule: "
        "manifest, encoding, header, field counts, types, enums, keys, references, the five invariants and "
        "the fee rules. DIR is a delivery root (every day folder, oldest first) or one day folder (the "
        "earlier day folders beside it are its context). Prints one FILE:LINE:COLUMN: message per problem "
        "and exits 1 when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", metavar="DIR", help="a delivery root or one day folder, e.g. data/delivery/2026-03-02")
        parser.add_argument(
            "--config", metavar="FILE", type=Path,
            help="a collection configuration (YAML) for another vendor's layout; default: interface v1",
        )
        parser.add_argument(
            "--max-per-rule", type=int, default=50, metavar="N",
            help="list at most N problems per rule and file, then one summary line (default 50)",
        )

    def handle(self, *args, **opts):
        config = default_source_config()
        if opts["config"]:
            try:
                config = load_source_config(opts["config"].read_text(encoding="utf-8"))
            except (OSError, InputRejected) as exc:
                lines = [f"{opts['config']}: {p}" for p in exc.problems] if isinstance(exc, InputRejected) else [f"{opts['config']}: {exc}"]
                for line in lines:
                    self.stdout.write(line)
                self.stderr.write("the collection configuration is not valid")
                raise SystemExit(1)
        report = validate_delivery_report(Path(opts["dir"]), config=config, cap=max(opts["max_per_rule"], 1))
        for problem in report.problems:
            self.stdout.write(str(problem))
        if report.problems:
            self.stderr.write(
                f"FAILED: {len(report.problems)} problem lines in {report.days} days ({report.rows} rows checked)"
            )
            raise SystemExit(1)
        self.stdout.write(f"OK: {report.days} days, {report.rows} rows checked")
