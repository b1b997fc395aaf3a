"""Reads of the research library: the list, one report, the Chinese full-text search, and pushes for evaluation."""
import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.safestring import SafeString

from brokercrm.core.permissions import require_role
from brokercrm.customers.facade import customer_scope_q
from brokercrm.org.facade import RESEARCH_READERS
from brokercrm.research.models import ResearchDelivery, ResearchReport
from brokercrm.research.text import snippet, words

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class SearchHit:
    """A report found by a search, best first: `snippet` is escaped HTML with the query words in <mark>."""

    id: int
    title: str
    report_date: dt.date
    report_type: str
    source: str
    audience: str
    analyst: str
    snippet: SafeString
    rank: float


def report_list(*, user) -> QuerySet[ResearchReport]:
    """The library as the user may read it (every role reads it; the big columns left out)."""
    require_role(user, RESEARCH_READERS)
    return ResearchReport.objects.defer("content", "body_text", "search_text")


def report_get(*, user, report_id: int) -> ResearchReport:
    require_role(user, RESEARCH_READERS)
    return get_object_or_404(ResearchReport, pk=report_id)


def _sqlite_ranked(terms: list[str], limit: int, where: str, params: list) -> list[tuple[int, float]]:
    # Each term is a run of word characters (text.words), so quoting it makes an FTS5 string that cannot be syntax.
    match = " AND ".join(f'"{t}"' for t in terms)
    with connection.cursor() as cursor:
        cursor.execute("SELECT r.id, bm25(research_report_fts) AS rank FROM research_report_fts "
                       "JOIN research_researchreport AS r ON r.id = research_report_fts.rowid "
                       f"WHERE research_report_fts MATCH %s{where} ORDER BY rank, r.id DESC LIMIT %s", [match, *params, limit])
        return [(row_id, -rank) for row_id, rank in cursor.fetchall()]


def _postgresql_ranked(terms: list[str], limit: int, where: str, params: list) -> list[tuple[int, float]]:
    query = " & ".join(f"'{t}'" for t in terms)
    with connection.cursor() as cursor:
        cursor.execute("SELECT r.id, ts_rank(to_tsvector('simple', r.search_text), q) AS rank "
                       "FROM research_researchreport AS r, to_tsquery('simple', %s) AS q "
                       f"WHERE to_tsvector('simple', r.search_text) @@ q{where} ORDER BY rank DESC, r.id DESC LIMIT %s",
                       [query, *params, limit])
        return [(row_id, float(rank)) for row_id, rank in cursor.fetchall()]


_RANKED = {"sqlite": _sqlite_ranked, "postgresql": _postgresql_ranked}


def report_search(*, user, q: str, limit: int = SEARCH_LIMIT, report_type: str = "", audience: str = "") -> list[SearchHit]:
    """Reports holding every word of the query (cut by jieba), ranked by the database's full-text index (FTS5 bm25 on
    SQLite, ts_rank on PostgreSQL), each with its highlighted snippet; without a query, the latest reports. Optionally
    of one type and/or audience."""
    require_role(user, RESEARCH_READERS)
    terms = list(dict.fromkeys(words(q, for_index=False)))
    filters = {column: value for column, value in (("report_type", report_type), ("audience", audience)) if value}
    if not q.strip():
        ranked = [(row_id, 0.0) for row_id in ResearchReport.objects.filter(**filters).values_list("id", flat=True)[:limit]]
    elif not terms:
        return []
    else:
        # The column names are the fixed keys above; only the values are parameters.
        where = "".join(f" AND r.{column} = %s" for column in filters)
        ranked = _RANKED[connection.vendor](terms, limit, where, list(filters.values()))
    reports = ResearchReport.objects.defer("content", "search_text").in_bulk([row_id for row_id, _ in ranked])
    return [SearchHit(r.id, r.title, r.report_date, r.report_type, r.source, r.audience, r.analyst,
                      snippet(r.body_text or r.title, terms), rank)
            for r, rank in ((reports.get(row_id), rank) for row_id, rank in ranked) if r is not None]


def delivery_list(*, user, report: ResearchReport) -> QuerySet[ResearchDelivery]:
    """Who got the report, among the customers the user may see."""
    return (report.deliveries.filter(customer_scope_q(user, prefix="customer__")).select_related("customer", "staff")
            .order_by("customer__customer_no"))


def delivery_counts(*, user, report: ResearchReport) -> tuple[int, int]:
    """(sent, opened) of the report, among the customers the user may see."""
    deliveries = delivery_list(user=user, report=report)
    return deliveries.count(), deliveries.filter(opened_at__isnull=False).count()


def research_pushes_by_staff(staff_nos: list[str], date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Research reports pushed to customers (资讯推送) per responsible staff member, by sent date in [from, to]: service
    work for evaluation. Every requested staff_no is in the answer (zeros included)."""
    rows = (ResearchDelivery.objects.filter(staff__staff_no__in=staff_nos, sent_on__gte=date_from, sent_on__lte=date_to)
            .values("staff__staff_no").annotate(pushes=Count("id")))
    result = dict.fromkeys(staff_nos, 0)
    result.update({row["staff__staff_no"]: row["pushes"] for row in rows})
    return result


def report_id_by_title(title: str) -> int | None:
    """The newest report of this title (the demo loads its reports once)."""
    return ResearchReport.objects.filter(title=title).order_by("-id").values_list("id", flat=True).first()


def research_received(*, customer_id: int) -> list[ResearchDelivery]:
    """The reports a customer was sent, newest first (for the 360° page, whose customer is already read in scope)."""
    return list(ResearchDelivery.objects.filter(customer_id=customer_id).select_related("report", "push").order_by("-sent_on", "-id")[:20])
