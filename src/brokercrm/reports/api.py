"""The reports API (django-ninja), scoped by the caller like every page: the catalogue, ad-hoc queries, saved reports."""
import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from brokercrm.core.api_errors import errors
from brokercrm.datacenter.facade import SemanticError
from brokercrm.reports import selectors
from brokercrm.reports.campaign_effect import campaign_effect
from brokercrm.reports.catalogue import DIMENSIONS, measure_entries

router = Router(tags=["reports"])


class CatalogueEntryOut(Schema):
    name: str
    name_zh: str
    name_en: str
    definition: str
    kind: str


class CatalogueOut(Schema):
    measures: list[CatalogueEntryOut]
    dimensions: list[CatalogueEntryOut]


class ReportTableOut(Schema):
    """Columns (dimensions, then measures) and rows; decimals as strings so no amount passes through a float."""

    columns: list[str]
    rows: list[list[str | int | None]]


class SavedReportOut(Schema):
    id: int
    name: str
    description: str
    measures: list[str]
    dimensions: list[str]
    where: str
    period: str
    comparisons: list[str]
    view: str
    shipped: bool


class ReportQueryIn(Schema):
    measures: str = Field(..., description="measures, comma-separated, e.g. net_commission,trade_amount")
    by: str = Field("", description="dimensions, comma-separated, e.g. branch_code,month")
    date_from: str = Field(..., alias="from", description="first day (YYYY-MM-DD)")
    date_to: str = Field(..., alias="to", description="last day (YYYY-MM-DD)")
    where: str = Field("", description='a filter in the formula language, e.g. branch_code == "0101"')


def _date(text: str, parameter: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SemanticError(f"{text!r} is not a date (YYYY-MM-DD)", field=parameter, value=text) from None


def _cell(value):
    return format(value, "f") if isinstance(value, Decimal) else value


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _entry(e) -> dict:
    return {"name": e.name, "name_zh": e.zh, "name_en": e.en, "definition": e.definition, "kind": e.kind or "dimension"}


@router.get("/reports/catalogue", response={200: CatalogueOut, **errors(403)})
def catalogue(request):
    """The measures and dimensions with their Chinese and English names and 口径."""
    return {"measures": [_entry(e) for e in measure_entries().values()], "dimensions": [_entry(e) for e in DIMENSIONS.values()]}


@router.get("/reports/query", response={200: ReportTableOut, **errors(400, 403)})
def query(request, params: Query[ReportQueryIn]):
    """Measures by dimensions for [from, to], counting only the facts of customers in the caller's scope."""
    result = selectors.report_query(user=request.auth, measures=_names(params.measures), by=_names(params.by),
                                    date_from=_date(params.date_from, "from"), date_to=_date(params.date_to, "to"),
                                    where=params.where)
    return {"columns": list(result.columns), "rows": [[_cell(v) for v in row] for row in result.rows]}


@router.get("/reports", response={200: list[SavedReportOut], **errors(403)})
def list_reports(request):
    """The saved reports the caller may open."""
    return [{"id": r.pk, "name": r.name, "description": r.description, "measures": r.measures, "dimensions": r.dimensions,
             "where": r.where, "period": r.period_kind, "comparisons": r.comparisons, "view": r.view, "shipped": r.shipped}
            for r in selectors.reports_visible(request.auth)]


@router.get("/reports/{report_id}/run", response={200: ReportTableOut, **errors(400, 403, 404)})
def run(request, report_id: int, period: str):
    """A saved report for the period P (YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD or D1..D2), in the caller's scope."""
    report = selectors.report_by_id(request.auth, report_id)
    table = selectors.report_run(user=request.auth, report=report, period=period)
    return {"columns": list(table.columns), "rows": [[_cell(v) for v in row] for row in table.rows]}


class CampaignEffectOut(Schema):
    """营销活动效果: the participants' measures by customer over the campaign's period, and their totals."""

    number: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    columns: list[str]
    rows: list[list]
    totals: list


@router.get("/reports/campaigns/{number}", response={200: CampaignEffectOut, **errors(400, 403, 404)})
def campaign(request, number: str):
    """A campaign's participants' trading, commission and net inflow over its period, in the caller's scope."""
    effect = campaign_effect(user=request.auth, number=number)
    return {"number": effect.number, "name": effect.name, "starts_on": effect.starts_on, "ends_on": effect.ends_on,
            "columns": list(effect.columns), "rows": [[_cell(v) for v in row] for row in effect.rows],
            "totals": [_cell(v) for v in effect.totals]}
