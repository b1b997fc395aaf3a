"""Incremental marts and incremental publish equal a full rebuild; the lake's publish is atomic and crash-safe.

Two warehouses receive the same ODS days and CRM copies: `inc` is built the way loads build (build_dw, build_marts,
publish_marts, each doing only what dw.mart_todo / dw.lake_todo name), `ref` is rebuilt in full every time.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import threading
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from brokercrm.datacenter import calendar
from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.pipelines import publish
from brokercrm.datacenter.pipelines.crm import ingest_crm
from brokercrm.datacenter.pipelines.dm import GRAINS, LEVELS, MATERIALISED, build_marts, mart_table
from brokercrm.datacenter.pipelines.dw import build_dw
from brokercrm.datacenter.pipelines.publish import PUBLISHED_TABLES, open_published, publish_marts
from brokercrm.datacenter.tests.ods_factory import ODS_COLUMNS, OdsFactory, relation, staff
from brokercrm.datacenter.warehouse import connect

CUSTOMERS = [f"1000{i:04d}" for i in range(1, 9)]
BRANCHES = ("0101", "0102")
STAFF = ("S0001", "S0002", "S0003")


def _sessions() -> list[dt.date]:
    return list(calendar.current().trading_days(dt.date(2026, 1, 26), dt.date(2026, 4, 10)))


class World:
    """The same deliveries and CRM content, written into both warehouses."""

    def __init__(self, inc, ref, rng: random.Random):
        self.cons = (inc, ref)
        self.rng = rng
        self.sessions = _sessions()
        self.next_day = 0
        self.loaded: dict[dt.date, int] = {}
        self.delivered: dict[str, dict] = {}  # customer → its last delivered version
        self.staff = {no: staff(no, hire="2020-01-01", branch=BRANCHES[i % 2]) for i, no in enumerate(STAFF)}
        self.relations = [relation(c, STAFF[i % len(STAFF)], "2019-01-01") for i, c in enumerate(CUSTOMERS)]
        self.serial = 0
        for con in self.cons:
            OdsFactory(con).save()  # the ODS tables
            ingest_crm(con, staff=list(self.staff.values()), development_relations=self.relations)

    def _day_rows(self, f: OdsFactory, day: dt.date, rng: random.Random) -> None:
        on = day.isoformat()
        if not self.loaded:
            for code in BRANCHES:
                f.branch(code, on=on, opened_on="2020-01-02")
        for no in CUSTOMERS:
            known = self.delivered.get(no)
            if known is None:
                if rng.random() < 0.4:
                    opened = day - dt.timedelta(days=rng.choice((0, 0, 3, 40)))
                    known = {"branch": rng.choice(BRANCHES), "open_date": opened.isoformat(), "close_date": None}
                    self.delivered[no] = known
                    f.customer(no, on=on, **{"branch": known["branch"], "open_date": known["open_date"]})
                else:
                    continue
            elif known["close_date"] is None and rng.random() < 0.15:
                if rng.random() < 0.5:
                    known["branch"] = BRANCHES[1 - BRANCHES.index(known["branch"])]
                else:
                    known["close_date"] = (day - dt.timedelta(days=rng.choice((0, 1, 20)))).isoformat()
                    if known["close_date"] < known["open_date"]:
                        known["close_date"] = known["open_date"]
                f.customer(no, on=on, branch=known["branch"], open_date=known["open_date"], close_date=known["close_date"])
            if known["close_date"] is not None and known["close_date"] < on:
                continue
            total = Decimal(rng.choice(("0", "99.99", "5000.00", "10000.00", "12345.67")))
            f.assets(on, no, total, cash=total / 2)
            if total:
                f.position(on, no, market_value=total - (total / 2).quantize(Decimal("0.01")))
            if rng.random() < 0.4:
                f.trade(on, no, amount=rng.choice(("100.00", "2500.50", "0.01")), commission=rng.choice(("0.00", "5.00", "0.33")),
                        handling_fee="0.02", side=rng.choice("BS"))
            if rng.random() < 0.2:
                f.cash_flow(on, no, flow_type=rng.choice(("bank_in", "bank_out")), amount=rng.choice(("10.00", "-3.00")))
            if rng.random() < 0.1:
                f.transfer(on, no, direction=rng.choice(("in", "out")), value="7.77")

    def _write_day(self, day: dt.date, load_id: int, seed: int) -> None:
        delivered_before = json.dumps(self.delivered, sort_keys=True)
        for i, con in enumerate(self.cons):
            if i == 1:  # the second warehouse gets exactly the same rows
                self.delivered = json.loads(delivered_before)
            rng = random.Random(seed)
            factory = OdsFactory(con)
            factory._serial = self.serial
            factory.day(day.isoformat(), load_id=load_id)
            self._day_rows(factory, day, rng)
            factory.save()
            con.execute("UPDATE ods.loaded_days SET load_id = ? WHERE business_date = ?", [load_id, day])
            serial = factory._serial
        self.serial = serial
        self.loaded[day] = load_id

    def load_next(self, seed: int) -> None:
        if self.next_day < len(self.sessions):
            self._write_day(self.sessions[self.next_day], 1, seed)
            self.next_day += 1

    def reload(self, seed: int) -> None:
        """A loaded day delivered again: its facts replaced (its customer versions kept), with a new load_id."""
        if not self.loaded:
            return
        day = random.Random(seed).choice(sorted(self.loaded))
        on = day.isoformat()
        open_then = sorted(no for no, v in self.delivered.items()
                           if v["open_date"] <= on and (v["close_date"] is None or v["close_date"] >= on))
        self.loaded[day] += 1
        for con in self.cons:
            for table in ODS_COLUMNS:
                if table not in ("customers", "branches", "securities"):
                    con.execute(f"DELETE FROM ods.{table} WHERE business_date = ?", [day])
            rng = random.Random(seed)
            factory = OdsFactory(con)
            factory._serial = self.serial
            for no in open_then:
                factory.assets(on, no, Decimal(rng.choice(("1.00", "20000.00"))))
                if rng.random() < 0.5:
                    factory.trade(on, no, amount="300.00", commission="1.11", side="B")
            factory.save()
            con.execute("UPDATE ods.loaded_days SET load_id = ? WHERE business_date = ?", [self.loaded[day], day])
            serial = factory._serial
        self.serial = serial

    def crm_change(self, seed: int) -> None:
        """Re-attribute a customer from a date on (its relation ended, another begun), or a staff member leaves."""
        rng = random.Random(seed)
        when = rng.choice(self.sessions[: max(self.next_day, 1) + 3])
        if rng.random() < 0.75:
            no = rng.choice(CUSTOMERS)
            current = [r for r in self.relations if r.customer_no == no and r.end_date is None]
            others = [r for r in self.relations if not (r.customer_no == no and r.end_date is None)]
            new_staff = rng.choice(STAFF)
            for r in current:
                if r.start_date < when:
                    others.append(relation(no, r.staff_no, r.start_date.isoformat(), when.isoformat()))
            others.append(relation(no, new_staff, when.isoformat()))
            self.relations = others
        else:
            no = rng.choice(STAFF)
            self.staff[no] = staff(no, hire="2020-01-01", leave=when.isoformat(), branch=self.staff[no].branch_code)
        for con in self.cons:
            ingest_crm(con, staff=list(self.staff.values()), development_relations=list(self.relations))


def _build_incremental(con, directory) -> None:
    """What a load does: DW and marts brought up to date, the changes published, closed months compacted."""
    build_dw(con)
    build_marts(con)
    publish_marts(con, directory)
    publish.compact_lake(directory)


def _build_full(con) -> None:
    build_dw(con, full=True)
    build_marts(con, full=True)


def _rows(con, sql: str) -> list:
    return sorted(con.execute(sql).fetchall(), key=repr)


def _assert_same(inc, ref, directory, tmp_path) -> None:
    for level, grain in MATERIALISED:
        table = mart_table(level, grain)
        assert _rows(inc, f"SELECT * FROM {table}") == _rows(ref, f"SELECT * FROM {table}"), table
    sessions = [r[0] for r in ref.execute("SELECT business_date FROM dw.calendar ORDER BY 1").fetchall()]
    if sessions:
        for level in LEVELS:
            for grain in GRAINS:
                a, b = tmp_path / f"inc-{level}-{grain}.csv", tmp_path / f"ref-{level}-{grain}.csv"
                export_indicators(inc, level=level, grain=grain, date_from=sessions[0], date_to=sessions[-1], out=a)
                export_indicators(ref, level=level, grain=grain, date_from=sessions[0], date_to=sessions[-1], out=b)
                assert a.read_bytes() == b.read_bytes(), (level, grain)
    published = open_published(directory)
    try:
        for table in PUBLISHED_TABLES:
            if table == "dm.build_info":
                continue
            assert _rows(published, f"SELECT * FROM {table}") == _rows(ref, f"SELECT * FROM {table}"), table
    finally:
        published.close()


ACTIONS = st.lists(st.tuples(st.sampled_from(("load", "load", "load", "reload", "crm")), st.integers(0, 10_000)),
                   min_size=2, max_size=7)


@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first_days=st.integers(1, 30), actions=ACTIONS, seed=st.integers(0, 10_000))
def test_incremental_marts_and_publish_equal_a_full_rebuild(tmp_path_factory, first_days, actions, seed):
    """Over random sequences of day loads, reloads of a loaded day and CRM changes (re-attributions, staff leaving),
    after each one: every mart, every indicator export (3 levels × month/day) and every published table of the
    incrementally built and published warehouse equal those of a full rebuild from the same ODS and CRM."""
    tmp_path = tmp_path_factory.mktemp("incremental")
    inc, ref = connect(":memory:"), connect(":memory:")
    world = World(inc, ref, random.Random(seed))
    directory = tmp_path / "published"
    for i in range(first_days):
        world.load_next(seed + i)
    _build_incremental(inc, directory)
    for kind, value in actions:
        {"load": world.load_next, "reload": world.reload, "crm": world.crm_change}[kind](value)
        _build_incremental(inc, directory)
        _build_full(ref)
        _assert_same(inc, ref, directory, tmp_path)
    inc.close()
    ref.close()


def _months_world(tmp_path, days: int):
    inc, ref = connect(":memory:"), connect(":memory:")
    world = World(inc, ref, random.Random(7))
    for i in range(days):
        world.load_next(i)
    directory = tmp_path / "published"
    _build_incremental(inc, directory)
    return world, inc, directory


def test_one_more_day_writes_only_that_months_partitions(tmp_path):
    """Into a warehouse of three months, one more day writes new files only under its own month and the small tables
    that changed: each fact with rows that day gets one file holding exactly that day's rows beside its month's
    earlier files (appended, not rewritten), the marts their month again; every other file of the previous snapshot
    is reused as it was (same name, same mtime), and the manifest's counts equal the tables'."""
    world, inc, directory = _months_world(tmp_path, 30)
    before = json.loads(publish.current_snapshot(directory).read_text())
    mtimes = {p: p.stat().st_mtime_ns for p in (directory / "lake").rglob("*.parquet")}
    day = world.sessions[world.next_day]
    world.load_next(99)
    _build_incremental(inc, directory)
    after = json.loads(publish.current_snapshot(directory).read_text())
    month = f"month={day:%Y-%m}"
    old_files = {f["path"] for t in before["tables"].values() for f in t["files"]}
    new_files = {f["path"] for t in after["tables"].values() for f in t["files"]} - old_files
    partitioned = {t for t in publish.MONTH_OF}
    facts_of_the_day = {t for t in publish.FACT_TABLES
                        if inc.execute(f"SELECT count(*) FROM {t} WHERE {publish._date_column(t)} = ?", [day]).fetchone()[0]}
    assert "dw.fact_positions" in facts_of_the_day
    assert new_files and all(month in f for f in new_files if f.split("/")[1] in partitioned)
    assert {*facts_of_the_day, *(mart_table(level, grain) for level, grain in MATERIALISED)} <= {
        f.split("/")[1] for f in new_files if month in f} <= partitioned
    for table in facts_of_the_day:
        appended = [f for f in after["tables"][table]["files"] if f["path"] in new_files]
        assert [(f["rows"], f["last_day"]) for f in appended] == [(inc.execute(
            f"SELECT count(*) FROM {table} WHERE {publish._date_column(table)} = ?", [day]).fetchone()[0], day.isoformat())]
    for table in partitioned:
        kept = [f for f in before["tables"][table]["files"]
                if f.get("month") != f"{day:%Y-%m}" or table in publish.FACT_TABLES]
        assert all(f in after["tables"][table]["files"] for f in kept), table
        assert sum(f["rows"] for f in after["tables"][table]["files"]) == inc.execute(
            f"SELECT count(*) FROM {table}").fetchone()[0]
    for path, mtime in mtimes.items():
        if path.relative_to(directory).as_posix() in old_files:
            assert path.stat().st_mtime_ns == mtime
    assert len({f.get("month") for t in before["tables"].values() for f in t["files"]} - {None}) >= 3


def test_a_full_rebuild_publishes_only_the_months_whose_content_differs(tmp_path):
    """A full rebuild (as after a reload, and as every Spark build is) marks every month changed; the publish compares
    each month's digest with the lake's: with nothing changed it writes no partition at all, and after one more day
    only that day's month, the rest of the lake reused as it was."""
    world, inc, directory = _months_world(tmp_path, 30)
    before = json.loads(publish.current_snapshot(directory).read_text())
    build_dw(inc, full=True)
    build_marts(inc, full=True)
    assert inc.execute("SELECT count(*) FROM dw.lake_todo WHERE month = '*'").fetchone()[0]
    publish_marts(inc, directory)
    same = json.loads(publish.current_snapshot(directory).read_text())
    assert {t: same["tables"][t]["files"] for t in publish.MONTH_OF} == {t: before["tables"][t]["files"] for t in publish.MONTH_OF}
    day = world.sessions[world.next_day]
    world.load_next(77)
    build_dw(inc, full=True)
    build_marts(inc, full=True)
    publish_marts(inc, directory)
    after = json.loads(publish.current_snapshot(directory).read_text())
    for table in publish.FACT_TABLES:
        changed = {f.get("month") for f in after["tables"][table]["files"]} ^ {f.get("month") for f in before["tables"][table]["files"]}
        rewritten = {f["month"] for f in after["tables"][table]["files"] if f not in before["tables"][table]["files"]}
        assert rewritten | changed <= {f"{day:%Y-%m}"}, table
        assert sum(f["rows"] for f in after["tables"][table]["files"]) == inc.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_month_of_day_files_is_compacted_into_one_once_the_next_month_begins(tmp_path):
    """Days published one by one each add a file to their month; when a day of the next month is published, the closed
    month's files become one sorted file (same rows, same digest), in a snapshot of its own, while the new month keeps
    its day files; the previous day files are collected once no snapshot names them."""
    world, inc, directory = _months_world(tmp_path, 2)
    first_month = world.sessions[0].strftime("%Y-%m")
    while world.sessions[world.next_day].strftime("%Y-%m") == first_month:
        world.load_next(world.next_day)
        build_dw(inc)
        build_marts(inc)
        publish_marts(inc, directory)
        assert publish.compact_lake(directory) is None  # the month is still open
    manifest = json.loads(publish.current_snapshot(directory).read_text())
    day_files = [f for f in manifest["tables"]["dw.fact_positions"]["files"] if f["month"] == first_month]
    assert len(day_files) > 2 and all(f.get("last_day") for f in day_files)
    world.load_next(500)
    build_dw(inc)
    build_marts(inc)
    published = publish_marts(inc, directory)
    compacted = publish.compact_lake(directory)
    assert compacted is not None and compacted != published and publish.current_snapshot(directory) == compacted
    manifest = json.loads(compacted.read_text())
    merged = [f for f in manifest["tables"]["dw.fact_positions"]["files"] if f["month"] == first_month]
    assert len(merged) == 1
    assert (merged[0]["rows"], int(merged[0]["hash"])) == publish._digest(day_files)
    assert merged[0]["last_day"] == max(f["last_day"] for f in day_files)
    reader = open_published(directory)
    try:
        for table in PUBLISHED_TABLES:
            if table != "dm.build_info":
                assert _rows(reader, f"SELECT * FROM {table}") == _rows(inc, f"SELECT * FROM {table}"), table
    finally:
        reader.close()


def test_a_crash_before_the_pointer_swap_leaves_the_old_snapshot_and_the_next_run_completes_it(tmp_path, monkeypatch):
    """A publish that dies after writing its partitions but before the manifest swap leaves CURRENT on the old,
    complete snapshot (still readable, old rows); dw.lake_todo keeps the months, so the next publish writes them and
    equals a full publish; the orphaned files are collected."""
    world, inc, directory = _months_world(tmp_path, 25)
    old_name = publish.current_snapshot(directory).name
    old_rows = open_published(directory).execute("SELECT count(*) FROM dw.fact_assets").fetchone()[0]
    world.load_next(5)
    build_dw(inc)
    build_marts(inc)

    def crash():
        raise RuntimeError("killed between partition writes and the pointer swap")

    monkeypatch.setattr(publish, "_after_partitions", crash)
    with pytest.raises(RuntimeError):
        publish_marts(inc, directory)
    assert publish.current_snapshot(directory).name == old_name
    assert open_published(directory).execute("SELECT count(*) FROM dw.fact_assets").fetchone()[0] == old_rows
    assert inc.execute("SELECT count(*) FROM dw.lake_todo").fetchone()[0] > 0
    monkeypatch.setattr(publish, "_after_partitions", lambda: None)
    monkeypatch.setattr(publish, "READER_GRACE_SECONDS", 0)
    publish_marts(inc, directory)
    assert publish.current_snapshot(directory).name != old_name
    complete = tmp_path / "complete"
    publish_marts(inc, complete, full=True)
    now, full = open_published(directory), open_published(complete)
    for table in PUBLISHED_TABLES:
        if table != "dm.build_info":
            assert _rows(now, f"SELECT * FROM {table}") == _rows(full, f"SELECT * FROM {table}"), table
    named = {f["path"] for p in directory.glob("snapshot-*.json") for t in json.loads(p.read_text())["tables"].values()
             for f in t["files"]}
    assert {p.relative_to(directory).as_posix() for p in (directory / "lake").rglob("*.parquet")} == named


def test_a_reader_during_publishes_sees_the_old_or_the_new_snapshot_never_a_mix(tmp_path):
    """While days are published one by one, a reader thread opening the current snapshot again and again always finds
    the facts and the marts of one and the same snapshot: its fact count and its marts' last period agree with what
    that snapshot's manifest says."""
    world, inc, directory = _months_world(tmp_path, 15)
    seen, errors, stop = [], [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                path = publish.current_snapshot(directory)
                manifest = json.loads(path.read_text())
                con = publish.open_snapshot(path)
                facts = con.execute("SELECT count(*) FROM dw.fact_assets").fetchone()[0]
                days = con.execute("SELECT count(*) FROM dw.trading_days").fetchone()[0]
                con.close()
                expected = sum(f["rows"] for f in manifest["tables"]["dw.fact_assets"]["files"])
                seen.append((path.name, facts, days))
                if facts != expected:
                    errors.append((path.name, facts, expected))
            except FileNotFoundError:
                continue

    reader = threading.Thread(target=hammer)
    reader.start()
    try:
        for i in range(4):
            world.load_next(100 + i)
            _build_incremental(inc, directory)
    finally:
        stop.set()
        reader.join()
    assert not errors
    by_snapshot = {}
    for name, facts, days in seen:
        by_snapshot.setdefault(name, set()).add((facts, days))
    assert len(by_snapshot) >= 2 and all(len(v) == 1 for v in by_snapshot.values())
    counts = sorted((days, facts) for (facts, days), in by_snapshot.values())
    assert [facts for _, facts in counts] == sorted(facts for _, facts in counts)
