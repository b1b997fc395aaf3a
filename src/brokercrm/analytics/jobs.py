"""The segments step of the load graph (site/jobgraph.py): memberships of every customer month, from the published marts.

Runs after each publish. It recomputes tiers over the whole history (the
hysteresis needs it) and rewrites the months from the earliest one the load touched to the last,
in one transaction: a rerun gives the same rows, a failed run leaves the previous ones.
"""
import datetime as dt
import time

from django.db import connection, transaction

from brokercrm.analytics.engine.build import (GroupRule, Pin, SegmentConfig, Timings, compute_segments, month_periods,
                                              segment_engine)
from brokercrm.analytics.engine.tiers import TierRule
from brokercrm.analytics.models import BehaviourGroup, BuiltPeriod, ClusterProfile, Membership, Tier, TierPin
from brokercrm.analytics.services import rule_compile, segment_settings_get
from brokercrm.core.errors import DomainError
from brokercrm.customers.facade import customer_id_index
from brokercrm.datacenter.facade import customer_month_table, customer_profile_table
from brokercrm.datacenter.facade import month_periods as published_months

COLUMNS = ("customer_id", "period", "tier", "qualified_tier", "previous_tier", "pinned", "groups", "rfm_r", "rfm_f", "rfm_m",
           "cluster", "avg_daily_assets_cents", "end_assets_cents", "net_commission_cents")
CHUNK = 20_000


def segment_config() -> SegmentConfig:
    """The configuration as stored, rules compiled (a stored rule that no longer compiles names its group)."""
    groups = []
    for group in BehaviourGroup.objects.filter(active=True):
        try:
            groups.append(GroupRule(group.code, rule_compile(group.rule)))
        except DomainError as exc:
            raise DomainError(f"group {group.code}: {exc.message}", field="rule") from None
    if not Tier.objects.exists():
        raise DomainError("no value tiers are configured: add at least one under Segment definitions", field="tiers")
    current = segment_settings_get()
    pins = tuple(Pin(p.customer.customer_no, p.tier.code, p.from_period, p.until_period or None)
                 for p in TierPin.objects.select_related("customer", "tier"))
    return SegmentConfig(tiers=tuple(TierRule(t.code, t.min_avg_daily_assets) for t in Tier.objects.all()),
                         groups=tuple(groups), downgrade_months=current.downgrade_months,
                         rfm_window_months=current.rfm_window_months, cluster_count=current.cluster_count,
                         cluster_seed=current.cluster_seed, pins=pins)


def _start_period(periods: list[str], dates: list[dt.date], full: bool, from_period: str | None) -> str | None:
    if full or not periods:
        return periods[0] if periods else None
    built = set(BuiltPeriod.objects.values_list("period", flat=True))
    candidates = [f"{d:%Y-%m}" for d in dates] + [p for p in periods if p not in built]
    if from_period:
        candidates.append(from_period)
    return max(min(candidates), periods[0]) if candidates else periods[-1]


def segments_build(*, dates: list[dt.date] | None = None, full: bool = False, from_period: str | None = None,
                   timings: Timings | None = None) -> dict:
    """Recompute memberships from the earliest month the loaded dates touch (all when full); returns counts."""
    config = segment_config()
    con = segment_engine(customer_month_table(), published_months(), customer_profile_table())
    try:
        periods = month_periods(con)
        start = _start_period(periods, list(dates or []), full, from_period)
        results = compute_segments(con, config, start_period=start, timings=timings) if start else []
    finally:
        con.close()
    return _write(results, start, periods)


@transaction.atomic
def _write(results, start: str | None, periods: list[str]) -> dict:
    started = time.perf_counter()
    Membership.objects.exclude(period__in=periods).delete()
    ClusterProfile.objects.exclude(period__in=periods).delete()
    BuiltPeriod.objects.exclude(period__in=periods).delete()
    if start is None:
        return {"analytics.membership": 0}
    Membership.objects.filter(period__gte=start).delete()
    ClusterProfile.objects.filter(period__gte=start).delete()
    ids = customer_id_index()
    table = connection.ops.quote_name(Membership._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    written = skipped = 0
    with connection.cursor() as cursor:
        for part in results:
            rows = []
            for i, customer_no in enumerate(part.customer_no.tolist()):
                customer_id = ids.get(customer_no)
                if customer_id is None:
                    skipped += 1
                    continue
                rows.append((customer_id, part.period, part.tier[i], part.qualified_tier[i], part.previous_tier[i],
                             bool(part.pinned[i]), part.groups[i], int(part.rfm_r[i]), int(part.rfm_f[i]), int(part.rfm_m[i]),
                             int(part.cluster[i]), int(part.avg_daily_assets_cents[i]), int(part.end_assets_cents[i]),
                             int(part.net_commission_cents[i])))
            for offset in range(0, len(rows), CHUNK):
                cursor.executemany(sql, rows[offset:offset + CHUNK])
            written += len(rows)
            ClusterProfile.objects.bulk_create([ClusterProfile(
                period=part.period, cluster=c.cluster, size=c.size, avg_daily_assets_cents=c.avg_daily_assets_cents,
                net_commission_cents=c.net_commission_cents, centroid=c.centroid, traits=c.traits) for c in part.clusters])
            BuiltPeriod.objects.update_or_create(period=part.period, defaults={"customers": len(rows)})
    return {"analytics.membership": written, "analytics.skipped_unknown_customers": skipped,
            "analytics.periods": len(results), "analytics.write_ms": int((time.perf_counter() - started) * 1000)}


def segments_step(dates: list[dt.date]) -> dict:
    """The segments step of the load graph: memberships from the earliest month the loaded dates touch."""
    return segments_build(dates=dates)
