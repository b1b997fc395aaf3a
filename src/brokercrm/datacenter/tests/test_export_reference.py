"""Exports of a simulated brokerage equal an independent computation from the raw CSVs by metrics.md.

The reference below is plain Python with Decimal, written from metrics.md alone: it reads the
delivery folders, staff.csv and relations.csv, never the warehouse, and follows the text literally
(rows: customers open on a day of P, staff employed or attributed, UNATTRIBUTED when a fact has no
relation, branches opened by the end of P).
"""
import calendar
import csv
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.tests.ods_factory import build, relation, staff
from brokercrm.datacenter.warehouse import connect

FACT_FILES = {"deliveries.csv": "trade_date", "cash_flows.csv": "biz_date", "security_transfers.csv": "biz_date",
              "positions.csv": "biz_date", "assets.csv": "biz_date"}
CENT, MICRO = Decimal("0.01"), Decimal("0.000001")
THRESHOLD = Decimal("10000.00")


def _date(text):
    return dt.date.fromisoformat(text) if text else None


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Delivery:
    """Everything the reference needs, straight from the files."""

    def __init__(self, root: Path):
        self.days = sorted(_date(p.name) for p in root.iterdir() if p.is_dir() and (p / "manifest.json").exists())
        self.rows = defaultdict(list)
        for day in self.days:
            for name in ("customers.csv", "branches.csv", *FACT_FILES):
                for row in _read(root / day.isoformat() / name):
                    row["_day"] = day
                    self.rows[name].append(row)
        self.versions = defaultdict(list)
        for row in self.rows["customers.csv"]:
            self.versions[row["customer_no"]].append(row)
        self.branches = {}
        for row in self.rows["branches.csv"]:
            self.branches[row["branch_code"]] = row
        self.staff = {row["staff_no"]: row for row in _read(root / "staff.csv")}
        self.relations = defaultdict(list)
        for row in _read(root / "relations.csv"):
            if row["relation_type"] == "development":
                self.relations[row["customer_no"]].append((_date(row["start_date"]), _date(row["end_date"]),
                                                           row["staff_no"]))
        import warnings

        import exchange_calendars as xcals

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas deprecations inside exchange_calendars
            xshg = xcals.get_calendar("XSHG")
        self.sessions = [ts.date() for ts in xshg.sessions_in_range(self.days[0].isoformat(), self.days[-1].isoformat())]

    def version_on(self, customer, day):
        """customers.csv version in force on day; the first one also back to open_date."""
        versions = self.versions[customer]
        in_force = [v for v in versions if v["_day"] <= day]
        return in_force[-1] if in_force else versions[0]

    def is_open(self, customer, day):
        latest = self.versions[customer][-1]
        close = _date(latest["close_date"])
        return _date(latest["open_date"]) <= day and (close is None or day <= close)

    def staff_on(self, customer, day):
        for start, end, staff_no in self.relations[customer]:
            if start <= day and (end is None or day < end):
                return staff_no
        return None


def reference(delivery: Delivery, level: str, grain: str, date_from: dt.date, date_to: dt.date) -> list[list[str]]:
    lo, hi = max(date_from, delivery.days[0]), min(date_to, delivery.days[-1])
    periods = {}
    for day in (s for s in delivery.sessions if lo <= s <= hi):
        if grain == "day":
            periods[day.isoformat()] = (day, day)
        else:
            label = f"{day.year:04d}-{day.month:02d}"
            last = dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
            periods[label] = (max(lo, day.replace(day=1)), min(hi, last))

    def key_of(customer, day):
        if level == "customer":
            return customer
        if level == "branch":
            return delivery.version_on(customer, day)["branch_code"]
        return delivery.staff_on(customer, day) or "UNATTRIBUTED"

    out = []
    for label, (start, end) in periods.items():
        t = [s for s in delivery.sessions if start <= s <= end]
        acc = defaultdict(lambda: defaultdict(Decimal))
        keys = set()
        pairs = defaultdict(set)
        for name, date_column in FACT_FILES.items():
            for row in delivery.rows[name]:
                day = _date(row[date_column])
                if not start <= day <= end:
                    continue
                key = key_of(row["customer_no"], day)
                keys.add(key)
                a = acc[key]
                if name == "assets.csv":
                    a["assets"] += Decimal(row["total_assets"])
                    if day == t[-1]:
                        a["end"] += Decimal(row["total_assets"])
                elif name == "deliveries.csv":
                    a["amount"] += Decimal(row["amount"])
                    a["count"] += 1
                    a["commission"] += Decimal(row["commission"])
                    a["net"] += Decimal(row["commission"]) - Decimal(row["handling_fee"]) - Decimal(row["regulatory_fee"])
                    pairs[key].add((row["customer_no"], day))
                elif name == "cash_flows.csv" and row["flow_type"] in ("bank_in", "bank_out"):
                    a["inflow"] += Decimal(row["amount"])
                elif name == "security_transfers.csv":
                    a["inflow"] += Decimal(row["value"]) * (1 if row["direction"] == "in" else -1)
        counts = defaultdict(lambda: [0, 0, 0])
        if level != "customer":
            peaks = {}
            for row in delivery.rows["assets.csv"]:
                if _date(row["biz_date"]) in t:
                    value = Decimal(row["total_assets"])
                    peaks[row["customer_no"]] = max(peaks.get(row["customer_no"], value), value)
            for customer, versions in delivery.versions.items():
                if delivery.is_open(customer, t[-1]):
                    counts[key_of(customer, t[-1])][0] += 1
                opened = _date(versions[-1]["open_date"])
                if start <= opened <= end:
                    counts[key_of(customer, opened)][1] += 1
                    if customer in peaks and peaks[customer] >= THRESHOLD:
                        counts[key_of(customer, opened)][2] += 1
        if level == "customer":
            keys |= {c for c, v in delivery.versions.items() if _date(v[-1]["open_date"]) <= end and (
                not v[-1]["close_date"] or _date(v[-1]["close_date"]) >= start)}
        elif level == "staff":
            keys |= {s for s, row in delivery.staff.items() if any(
                _date(row["hire_date"]) <= day and (not row["leave_date"] or day < _date(row["leave_date"]))
                for day in (start + dt.timedelta(n) for n in range((end - start).days + 1)))}
        else:
            keys |= {b for b, row in delivery.branches.items() if _date(row["opened_on"]) <= end}
        for key in keys:
            a = acc[key]
            avg = (a["assets"] / len(t)).quantize(CENT, rounding=ROUND_HALF_UP)
            rate = "" if a["amount"] == 0 else f"{(a['commission'] / a['amount']).quantize(MICRO, rounding=ROUND_HALF_UP):.6f}"
            money = [avg, a["end"], a["inflow"], a["amount"]]
            row = [level, key, label, *(f"{m + 0:.2f}" for m in money), str(int(a["count"])), str(len(pairs[key])),
                   f"{a['commission'] + 0:.2f}", f"{a['net'] + 0:.2f}", rate]
            if level != "customer":
                row += [str(n) for n in counts[key]]
            out.append(row)
    out.sort(key=lambda r: (r[2], r[1] == "UNATTRIBUTED", r[1]))
    return out


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, django_db_setup, django_db_blocker):
    from brokercrm.datacenter.pipelines.ods import ingest_days
    from brokercrm.simulator.facade import simulate

    root = tmp_path_factory.mktemp("delivery")
    simulate(out=root, start=dt.date(2026, 3, 2), days=30, customers=200, staff=12, branches=3, seed=11)
    con = connect(":memory:")
    with django_db_blocker.unblock():  # the checks and the DW build read the trading calendar (no closures imported)
        results = ingest_days(con, root)
        assert all(r.loaded for r in results) and len(results) == 30
        staff_rows = [staff(r["staff_no"], hire=r["hire_date"], leave=r["leave_date"] or None, branch=r["branch_code"])
                      for r in _read(root / "staff.csv")]
        relations = [relation(r["customer_no"], r["staff_no"], r["start_date"], r["end_date"] or None)
                     for r in _read(root / "relations.csv") if r["relation_type"] == "development"]
        build(con, staff_rows=staff_rows, relations=relations, effective_assets=THRESHOLD)
    return con, Delivery(root)


@pytest.mark.parametrize("level", ["customer", "staff", "branch"])
@pytest.mark.parametrize(("grain", "date_from", "date_to"), [
    ("month", "2026-03-01", "2026-04-30"),
    ("month", "2026-03-11", "2026-04-08"),
    ("day", "2026-03-27", "2026-04-03"),
])
def test_export_equals_the_reference_computation(simulated, tmp_path, level, grain, date_from, date_to):
    """Every row and value of the export matches the reference, whole and clipped months, by month and day."""
    con, delivery = simulated
    out = tmp_path / f"{level}_indicators.csv"
    export_indicators(con, level=level, grain=grain, date_from=_date(date_from), date_to=_date(date_to), out=out)
    exported = [row for row in csv.reader(out.read_text(encoding="utf-8").splitlines())][1:]
    expected = reference(delivery, level, grain, _date(date_from), _date(date_to))
    assert len(exported) == len(expected)
    assert exported == expected


def test_the_simulated_brokerage_exercises_the_rules(simulated):
    """The case is not trivial: relations switch inside the range, some facts are unattributed, customers open."""
    _, delivery = simulated
    first, last = delivery.days[0], delivery.days[-1]
    switches = [c for c, rels in delivery.relations.items() for s, e, _ in rels if first < s <= last or (e and first < e <= last)]
    unattributed = [r for r in delivery.rows["assets.csv"] if delivery.staff_on(r["customer_no"], _date(r["biz_date"])) is None]
    new = [c for c, v in delivery.versions.items() if first < _date(v[-1]["open_date"]) <= last]
    assert switches and unattributed and new
