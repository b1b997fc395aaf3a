"""Research reports for tests: stored through the import service, from generated PDFs or plain text."""
import datetime as dt

from brokercrm.research.samples import SampleReport, report_pdf
from brokercrm.research.services import report_import

EV_PARAGRAPHS = ("我们认为新能源汽车产业链景气度持续提升，动力电池龙头企业的市场份额继续扩大。",
                 "风险提示：上游原材料价格波动。")


def ev_report_pdf() -> bytes:
    """A Chinese industry report whose body holds 新能源汽车产业链 (能源 appears only inside longer words)."""
    return report_pdf(SampleReport(title="行业周报", analyst="陈分析", report_date=dt.date(2026, 11, 20), report_type="industry",
                                   paragraphs=EV_PARAGRAPHS))


def text_report(body: str, *, title: str, audience: str = "internal", securities=(), industries=(), **fields):
    """A report stored from a UTF-8 text file (fast: no PDF rendering)."""
    return report_import(actor=None, file_name=f"{title}.txt", data=body.encode(), title=title, audience=audience,
                         securities=list(securities), industries=list(industries), **fields)
