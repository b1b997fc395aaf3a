"""Reads of segments, always through the customer data scope (customers.selectors.customer_scope_q)."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from brokercrm.analytics.engine.clusters import words
from brokercrm.analytics.models import BehaviourGroup, BuiltPeriod, ClusterProfile, Membership, Tier, TierPin, cents_to_money
from brokercrm.core.errors import DomainError
from brokercrm.customers.facade import customer_scope_q
from brokercrm.org.facade import branch_list


def built_periods() -> list[str]:
    """Months with memberships, newest first."""
    return list(BuiltPeriod.objects.order_by("-period").values_list("period", flat=True))


def period_or_latest(period: str | None) -> str | None:
    periods = built_periods()
    if not periods:
        return None
    if not period:
        return periods[0]
    if period not in periods:
        raise Http404
    return period


def tier_list() -> list[Tier]:
    """Highest first."""
    return list(Tier.objects.all())


def group_list(active_only: bool = False) -> QuerySet[BehaviourGroup]:
    qs = BehaviourGroup.objects.all()
    return qs.filter(active=True) if active_only else qs


def tier_labels() -> dict[str, str]:
    return {t.code: str(t) for t in Tier.objects.all()}


def group_labels() -> dict[str, str]:
    return {g.code: str(g) for g in BehaviourGroup.objects.all()}


def membership_list(*, user, period: str | None = None, branch_code: str = "") -> QuerySet[Membership]:
    """Memberships of the customers the user may see (optionally one month, one branch in scope)."""
    qs = Membership.objects.filter(customer_scope_q(user, prefix="customer__"))
    if period:
        qs = qs.filter(period=period)
    if branch_code:
        if not branch_list(user=user).filter(code=branch_code).exists():
            raise Http404
        qs = qs.filter(customer__branch__code=branch_code)
    return qs


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


@dataclass(frozen=True)
class SegmentRow:
    code: str
    label: str
    customers: int
    assets: Decimal
    net_commission: Decimal
    customer_share: Decimal
    assets_share: Decimal
    commission_share: Decimal
    note: str = ""


def _rows(aggregates: list[tuple[str, str, int, int, int]], totals: tuple[int, int, int], notes: dict | None = None) -> list[SegmentRow]:
    n, a, c = totals
    return [SegmentRow(code, label, count, cents_to_money(assets), cents_to_money(commission), _share(count, n),
                       _share(assets, a), _share(commission, c), (notes or {}).get(code, ""))
            for code, label, count, assets, commission in aggregates]


MEASURES = {"customers": Count("id"), "assets": Sum("avg_daily_assets_cents"), "commission": Sum("net_commission_cents")}


def _measures(condition: Q) -> dict:
    return {"customers": Count("id", filter=condition), "assets": Sum("avg_daily_assets_cents", filter=condition),
            "commission": Sum("net_commission_cents", filter=condition)}


def segment_overview(*, user, period: str, branch_code: str = "") -> dict:
    """Counts, assets and net commission (with shares) per tier, group and cluster of one month, in scope."""
    qs = membership_list(user=user, period=period, branch_code=branch_code)
    totals = qs.aggregate(**MEASURES)
    total = (totals["customers"] or 0, totals["assets"] or 0, totals["commission"] or 0)
    by_tier = {r["tier"]: r for r in qs.values("tier").annotate(**MEASURES)}
    tiers = [(t.code, str(t), by_tier.get(t.code, {}).get("customers", 0), by_tier.get(t.code, {}).get("assets") or 0,
              by_tier.get(t.code, {}).get("commission") or 0) for t in tier_list()]
    groups = list(group_list(active_only=True))
    in_group = {g.code: Q(groups__contains=f";{g.code};") for g in groups}
    sums = qs.aggregate(**{f"{key}_{g.pk}": measure for g in groups for key, measure in _measures(in_group[g.code]).items()})
    group_rows = [(g.code, str(g), sums[f"customers_{g.pk}"] or 0, sums[f"assets_{g.pk}"] or 0, sums[f"commission_{g.pk}"] or 0)
                  for g in groups]
    profiles = {p.cluster: p for p in ClusterProfile.objects.filter(period=period)}
    by_cluster = {r["cluster"]: r for r in qs.values("cluster").annotate(**MEASURES)}
    cluster_rows = [(str(number), _("Cluster %(n)d") % {"n": number}, r["customers"], r["assets"] or 0, r["commission"] or 0)
                    for number, r in sorted(by_cluster.items())]
    notes = {str(number): words(p.traits) for number, p in profiles.items()}
    return {"period": period, "customers": total[0], "assets": cents_to_money(total[1]), "net_commission": cents_to_money(total[2]),
            "tiers": _rows(tiers, total), "groups": _rows(group_rows, total), "clusters": _rows(cluster_rows, total, notes)}


def segment_trend(*, user, branch_code: str = "") -> dict:
    """Customers and assets per tier for every built month (oldest first), in scope."""
    qs = membership_list(user=user, branch_code=branch_code)
    periods = sorted(built_periods())
    cells = {(r["period"], r["tier"]): r for r in qs.values("period", "tier").annotate(**MEASURES)}
    return {"periods": periods, "series": [
        {"code": t.code, "label": str(t),
         "customers": [cells.get((p, t.code), {}).get("customers", 0) for p in periods],
         "assets": [str(cents_to_money(cells.get((p, t.code), {}).get("assets") or 0)) for p in periods]}
        for t in tier_list()]}


def migration_matrix(*, user, period: str, branch_code: str = "") -> dict:
    """Customers by previous month's tier (rows, '' = new) and this month's tier (columns), in scope."""
    qs = membership_list(user=user, period=period, branch_code=branch_code)
    tiers = tier_list()
    rank = {t.code: i for i, t in enumerate(reversed(tiers))}
    cells = {(r["previous_tier"], r["tier"]): r["n"] for r in qs.values("previous_tier", "tier").annotate(n=Count("id"))}
    codes = [t.code for t in tiers]
    rows = [{"code": c, "label": label, "cells": [cells.get((c, to), 0) for to in codes], "total": sum(cells.get((c, to), 0) for to in codes)}
            for c, label in [(t.code, str(t)) for t in tiers] + [("", _("New this month"))]]
    up = sum(n for (a, b), n in cells.items() if a in rank and b in rank and rank[b] > rank[a])
    down = sum(n for (a, b), n in cells.items() if a in rank and b in rank and rank[b] < rank[a])
    same = sum(n for (a, b), n in cells.items() if a and a == b)
    return {"period": period, "tiers": tiers, "rows": rows, "upgraded": up, "downgraded": down, "unchanged": same,
            "columns_total": [sum(cells.get((a, to), 0) for a in codes + [""]) for to in codes]}


def segment_customers(*, user, period: str, tier: str = "", group: str = "", cluster: int | None = None,
                      branch_code: str = "") -> QuerySet[Membership]:
    """The customers of one segment (tier, group or cluster) in one month, in scope, largest assets first."""
    qs = membership_list(user=user, period=period, branch_code=branch_code).select_related("customer", "customer__branch")
    if tier:
        qs = qs.filter(tier=tier)
    if group:
        qs = qs.filter(groups__contains=f";{group};")
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    return qs.order_by("-avg_daily_assets_cents", "customer__customer_no")


def customer_segment_history(*, customer) -> list[dict]:
    """A customer's months, newest first, with tier and group names (the customer was fetched through scope)."""
    tiers, groups = tier_labels(), group_labels()
    pins = list(TierPin.objects.filter(customer=customer))
    out = []
    for m in Membership.objects.filter(customer=customer).order_by("-period"):
        pin = next((p for p in pins if p.from_period <= m.period and (not p.until_period or m.period <= p.until_period)), None)
        out.append({"period": m.period, "tier": tiers.get(m.tier, m.tier), "tier_code": m.tier,
                    "qualified_tier": tiers.get(m.qualified_tier, m.qualified_tier), "previous_tier": tiers.get(m.previous_tier, m.previous_tier),
                    "pinned": m.pinned, "pin_reason": pin.reason if pin and m.pinned else "",
                    "groups": [groups.get(g, g) for g in m.group_codes], "rfm": (m.rfm_r, m.rfm_f, m.rfm_m), "cluster": m.cluster,
                    "avg_daily_assets": m.avg_daily_assets, "net_commission": m.net_commission})
    return out


def cluster_profiles(*, period: str) -> list[dict]:
    """Company-wide cluster descriptions of a month (centroids are not customer data)."""
    return [{"cluster": p.cluster, "size": p.size, "words": words(p.traits), "centroid": p.centroid,
             "avg_daily_assets": cents_to_money(p.avg_daily_assets_cents), "net_commission": cents_to_money(p.net_commission_cents)}
            for p in ClusterProfile.objects.filter(period=period)]


def pin_list(*, user) -> QuerySet[TierPin]:
    return TierPin.objects.filter(customer_scope_q(user, prefix="customer__")).select_related("customer", "tier", "created_by")


def segment_history(*, customer_id: int) -> QuerySet[Membership]:
    """One customer's memberships, newest month first (the caller has checked the customer is in scope)."""
    return Membership.objects.filter(customer_id=customer_id).order_by("-period")


def customer_tiers() -> dict[str, str]:
    """Each customer's value tier (its name) in the latest segmented month: the reports' `tier` dimension."""
    latest = Membership.objects.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return {}
    names = dict(Tier.objects.values_list("code", "name"))
    return {no: names.get(code, code) for no, code in
            Membership.objects.filter(period=latest).values_list("customer__customer_no", "tier")}
def customer_month_groups(*, months: list[str]) -> dict[tuple[str, str], tuple[str, ...]]:
    """The behaviour groups (their names) of each customer in each of the months (YYYY-MM): the reports' behaviour
    group dimension. Customers in no group are left out."""
    names = group_labels()
    out = {}
    for no, period, groups in Membership.objects.filter(period__in=months).exclude(groups="").values_list(
            "customer__customer_no", "period", "groups").iterator(chunk_size=10000):
        codes = [g for g in groups.split(";") if g]
        if codes:
            out[(no, period)] = tuple(names.get(code, code) for code in codes)
    return out


RFM_SCORES = "012345"


def segment_member_ids(*, period: str, tier: str = "", group: str = "", cluster: int | None = None, rfm: str = "") -> list[int]:
    """The customers in one segment of a month, company-wide (for the system: service strategies), by customer id.

    rfm is three characters R, F, M, each a score 0–5 or `*` for any. DomainError names an unbuilt month or
    an unknown tier or group, so a strategy on a mistyped segment is refused rather than empty.
    """
    if not BuiltPeriod.objects.filter(period=period).exists():
        built = ", ".join(sorted(built_periods())) or "none"
        raise DomainError(f"no segments for {period} (months with segments: {built})", field="period")
    qs = Membership.objects.filter(period=period)
    if tier:
        if not Tier.objects.filter(code=tier).exists():
            raise DomainError(f"unknown tier '{tier}' (tiers: {', '.join(tier_labels())})", field="segment")
        qs = qs.filter(tier=tier)
    if group:
        if not BehaviourGroup.objects.filter(code=group).exists():
            raise DomainError(f"unknown behaviour group '{group}' (groups: {', '.join(group_labels())})", field="segment")
        qs = qs.filter(groups__contains=f";{group};")
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    if rfm:
        if len(rfm) != 3 or any(c not in RFM_SCORES + "*" for c in rfm):
            raise DomainError(f"RFM cell '{rfm}': three scores R, F, M, each 0–5 or * (e.g. 55*)", field="segment")
        qs = qs.filter(**{f"rfm_{name}": int(score) for name, score in zip("rfm", rfm) if score != "*"})
    return list(qs.order_by("customer_id").values_list("customer_id", flat=True))
