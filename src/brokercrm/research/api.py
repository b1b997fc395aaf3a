"""The research API (django-ninja): Chinese full-text search of the library and the download of a report's file."""
import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from brokercrm.core.api_errors import errors
from brokercrm.research import selectors
from brokercrm.research.models import ResearchReport
from brokercrm.research.views import file_response

router = Router(tags=["research"])


class ResearchQuery(Schema):
    q: str = ""
    report_type: Literal["", *ResearchReport.ReportType.values] = ""
    audience: Literal["", *ResearchReport.Audience.values] = ""
    limit: int = Field(selectors.SEARCH_LIMIT, ge=1, le=selectors.SEARCH_LIMIT)


class ResearchHitOut(Schema):
    id: int
    title: str
    date: dt.date
    report_type: str
    source: str
    audience: str
    analyst: str
    snippet: str
    download_url: str


class ResearchSearchOut(Schema):
    results: list[ResearchHitOut]


def _download_url(report_id: int) -> str:
    return f"/api/research/{report_id}/file"


@router.get("/research", response={200: ResearchSearchOut, **errors(400)}, summary="Search the research library (Chinese full text)")
def search_research(request, params: Query[ResearchQuery]):
    """Every word of `q` (cut by jieba, so a word inside a longer phrase matches) must be in the report's title or text;
    best first, each with a snippet in which the words are marked `<mark>…</mark>` (HTML-escaped). Without `q`: the
    latest reports, each snippet the start of its text."""
    hits = selectors.report_search(user=request.auth, q=params.q, limit=params.limit, report_type=params.report_type,
                                   audience=params.audience)
    return {"results": [{"id": h.id, "title": h.title, "date": h.report_date, "report_type": h.report_type, "source": h.source,
                         "audience": h.audience, "analyst": h.analyst, "snippet": str(h.snippet), "download_url": _download_url(h.id)}
                        for h in hits]}


@router.get("/research/{report_id}/file", response={200: None, **errors(400, 404)}, summary="Download a research report's file",
            openapi_extra={"responses": {200: {"description": "The report's file (PDF, Word, Markdown or text)",
                                               "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def download_research(request, report_id: int):
    report = selectors.report_get(user=request.auth, report_id=report_id)
    return file_response(report, inline=False)

