"""`brokercrm export evaluation --scheme CODE|all --period P --out FILE.csv`: the scores of evaluation runs;
`brokercrm export levels --out FILE.csv`: the levels staff were hired at and every approved change.

Columns staff_no, scheme, period, score, rank_team, rank_branch, rank_company; sorted by scheme, then company rank and
staff number. The runs must exist (`brokercrm evaluation run`); like every `export` it is company-wide.
"""
from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.exports import write_csv
from brokercrm.datacenter.facade import register_export
from brokercrm.evaluation.indicators import parse_period
from brokercrm.evaluation.levels import level_history_rows
from brokercrm.evaluation.models import EvaluationRun, Score

LEVEL_COLUMNS = ["staff_no", "category", "level", "effective_from", "reason"]
EVALUATION_COLUMNS = ["staff_no", "scheme", "period", "score", "rank_team", "rank_branch", "rank_company"]


def evaluation_rows(*, scheme: str, period: str) -> list[list]:
    """The score rows of the scheme's run (every run of the period when scheme is 'all'); DomainError on a bad period."""
    label = parse_period(period).label
    runs = EvaluationRun.objects.filter(period=label)
    if scheme != "all":
        runs = runs.filter(scheme__code=scheme)
    rows = (Score.objects.filter(run__in=runs).order_by("run__scheme__code", "rank_company", "staff__staff_no")
            .values_list("staff__staff_no", "run__scheme__code", "run__period", "total", "rank_team", "rank_branch", "rank_company"))
    return [list(r) for r in rows]


def export_evaluation(*, scheme: str, period: str, out: Path) -> int:
    if scheme != "all" and not EvaluationRun.objects.filter(scheme__code=scheme, period=parse_period(period).label).exists():
        raise CommandError(f"scheme {scheme} has no run for {period}: run `brokercrm evaluation run --scheme {scheme} --period {period}` first")
    return write_csv(evaluation_rows(scheme=scheme, period=period), EVALUATION_COLUMNS, Path(out))


def _arguments(parser) -> None:
    parser.add_argument("--scheme", required=True, metavar="CODE", help="a scheme code, or all")
    parser.add_argument("--period", required=True, metavar="P", help="YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file to write")


def _evaluation(command, opts: dict) -> None:
    rows = export_evaluation(scheme=opts["scheme"], period=opts["period"], out=opts["out"])
    command.stdout.write(f"{opts['out']}: {rows} rows")


def _levels_arguments(parser) -> None:
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file to write")


def _levels(command, opts: dict) -> None:
    rows = write_csv(level_history_rows(), LEVEL_COLUMNS, Path(opts["out"]))
    command.stdout.write(f"{opts['out']}: {rows} rows")


def register_export_subcommands() -> None:
    """Offer `brokercrm export evaluation` and `brokercrm export levels` (the level history, see levels.py)."""
    register_export("levels", "Staff levels and their history (staff_no, category, level, effective_from, reason).",
                    _levels_arguments, _levels)
    register_export("evaluation", "Evaluation scores (staff_no, scheme, period, score, rank_team, rank_branch, rank_company).",
                    _arguments, _evaluation)
