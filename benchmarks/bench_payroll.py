"""Evaluation and payroll for 2,000 staff (issue 8: under 10 s), next to the bare calculation as a baseline.

Builds a throwaway database (migrated, shipped templates active) with 20 branches, 100 teams and 2,000
staff (account managers of every level, team leaders, branch managers, external brokers, service
agents), publishes a marts snapshot with the month and the same month last year, then times
`evaluation_run` (AM-MONTHLY) and `payroll_run_calculate` (every active structure, lines stored with
formula, inputs and lineage). The baseline evaluates the same compiled formulas over the same inputs
in memory, without the database or the snapshot. `--staff N` changes the size.
"""
import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ["BROKERCRM_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-payroll-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
sys.modules.setdefault("brokercrm.servicing.facade", None)  # work indicators: measured without the service module

MONTH = "2026-03"


def build(staff_count: int) -> None:
    from django.core.management import call_command

    from brokercrm.org.models import Branch, Staff, StaffCategory, StaffLevel, Team

    call_command("migrate", verbosity=0)
    categories = {c.code: c for c in StaffCategory.objects.all()}
    levels = list(StaffLevel.objects.filter(category__code="account_manager").order_by("order"))
    branches = Branch.objects.bulk_create([Branch(code=f"{i + 1:04d}", name=f"营业部{i + 1}") for i in range(20)])
    teams = Team.objects.bulk_create([Team(branch=branches[i % 20], code=f"T{i:03d}", name=f"T{i:03d}") for i in range(100)])
    rows = []
    for i in range(staff_count):
        team = teams[i % 100]
        if i < 20:
            kind, level, team = "branch_manager", None, None
        elif i < 120:
            kind, level, team = "team_leader", None, teams[i - 20]
        elif i % 10 == 0:
            kind, level = "external_broker", None
        elif i % 25 == 1:
            kind, level = "service_agent", None
        else:
            kind, level = "account_manager", levels[i % 4]
        branch = team.branch if team else branches[i % 20]
        rows.append(Staff(staff_no=f"S{i + 1:05d}", name=f"员工{i + 1}", category=categories[kind], level=level, branch=branch,
                          team=team, hire_date=dt.date(2025, 12, 1) if i % 7 == 0 else dt.date(2020, 1, 2)))
    Staff.objects.bulk_create(rows, batch_size=1000)


def publish(directory: Path, staff_count: int) -> None:
    from brokercrm.evaluation.tests.snapshot import publish as write

    def staff_row(i: int, period: str, scale: int) -> dict:
        return {"key": f"S{i + 1:05d}", "period": period, "net_commission": Decimal(f"{(i * 7919) % 60000 * scale // 10}.{i % 100:02d}"),
                "commission": Decimal((i * 7919) % 70000), "trade_amount": Decimal((i * 104729) % 90_000_000 + 1),
                "avg_daily_assets": Decimal(f"{(i * 104729) % 30_000_000}.{i % 97:02d}"), "customer_count": i % 220,
                "new_customers": i % 6, "effective_new_customers": i % 4}

    staff = [staff_row(i, MONTH, 10) for i in range(staff_count)]
    staff += [staff_row(i, "2025-03", 9) for i in range(0, staff_count, 2)]
    branches = [{"key": f"{b + 1:04d}", "period": MONTH, "net_commission": Decimal(1_000_000 + b)} for b in range(20)]
    write(directory, months={"2025-03": 21, MONTH: 22}, staff=staff, branches=branches)


def baseline() -> float:
    """The same formulas over the same inputs, in memory: the cost of the arithmetic alone."""
    from brokercrm.compensation.calc import compute_lines
    from brokercrm.compensation.payroll import compute_payroll
    from brokercrm.compensation.models import PayStructure
    from brokercrm.compensation.payroll import compiled_structure, constants, tier_tables
    from brokercrm.evaluation.models import Scheme
    from brokercrm.evaluation.services import scheme_specs
    from brokercrm.evaluation.scoring import score_staff

    result = compute_payroll(MONTH)  # inputs gathered once, outside the timing
    consts, tiers = constants(), tier_tables()
    compiled = {s.code: compiled_structure(s, constant_names=consts, tier_names=tiers) for s in PayStructure.objects.filter(active=True)}
    specs = scheme_specs(Scheme.objects.get(code="AM-MONTHLY"))
    inputs = [(p.structure, {k: v for line in p.lines for k, v in line.inputs.items()}) for p in result.payslips]
    started = time.perf_counter()
    for code, values in inputs:
        score_staff(specs, values)
        compute_lines(compiled[code], values, tiers=tiers)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=2000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    from brokercrm.compensation.services import payroll_run_calculate
    from brokercrm.evaluation.models import Scheme
    from brokercrm.evaluation.services import evaluation_run

    started = time.perf_counter()
    build(args.staff)
    publish(Path(settings.WAREHOUSE_SNAPSHOT_DIR), args.staff)
    print(f"set-up: {args.staff:,} staff and a published snapshot in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    run = evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    evaluation_s = time.perf_counter() - started
    scored = run.scores.count()
    started = time.perf_counter()
    payroll = payroll_run_calculate(actor=None, period=MONTH)
    payroll_s = time.perf_counter() - started
    slips = payroll.payslips.count()
    lines = sum(1 for _ in payroll.payslips.values_list("lines"))
    base = baseline()
    total = evaluation_s + payroll_s
    print(f"evaluation: {scored:,} scored in {evaluation_s:.2f} s; payroll: {slips:,} payslips, {lines:,} lines in {payroll_s:.2f} s")
    print(f"total {total:.2f} s (target < 10 s: {'OK' if total < 10 else 'MISSED'}); baseline in-memory formulas "
          f"{base:.2f} s; ratio {total / base:.1f}x")


if __name__ == "__main__":
    main()
