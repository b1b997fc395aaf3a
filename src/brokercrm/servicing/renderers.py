"""The contents servicing renders itself from the customer's own data: the account report and the wealth report,
each an HTML e-mail with the PDF attached (or an SMS text). Registered in ServicingConfig.ready().

The strategy's text is the template (editable by whoever edits strategies: admins, head office); placeholders
{name}, {customer_no}, {period}, {end_assets}, {profit} and, in the wealth report, {twr}. Empty: the default text.
"""
import datetime as dt

from django.utils.html import escape

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.facade import warehouse_read
from brokercrm.servicing.contents import ContentRequest, RenderedContent, register_content
from brokercrm.servicing.documents import account_report_data, account_report_pdf
from brokercrm.servicing.wealth import quarter_of, wealth_report_data, wealth_report_pdf

ACCOUNT_TEXT = "尊敬的{name}：\n\n附件为您 {period} 的账户对账单。期末资产 {end_assets} 元，本期盈亏 {profit} 元。\n\n如有疑问请联系您的客户经理。"
WEALTH_TEXT = ("尊敬的{name}：\n\n附件为您 {period} 的理财报告。期末资产 {end_assets} 元，本期盈亏 {profit} 元，"
               "时间加权收益率 {twr}%。\n\n如需调整配置，请联系您的客户经理。")


def _fill(template: str, values: dict) -> str:
    text = template
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _message(request: ContentRequest, *, default_subject: str, default_text: str, values: dict, pdf_name: str,
             pdf: bytes) -> RenderedContent:
    text = _fill(request.body or default_text, values)
    html = "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line)
    return RenderedContent(subject=_fill(request.subject or default_subject, values), text=text, html=html,
                           attachments=((pdf_name, "application/pdf", pdf),))


def account_report_render(request: ContentRequest) -> RenderedContent | None:
    """The monthly account report of the strategy's month; None when the customer has no assets that month."""
    no = request.customer.customer_no
    try:
        with warehouse_read() as con:
            report = account_report_data(con, customer_no=no, month=request.period)
    except DomainError:
        return None
    values = {"name": request.customer.name, "customer_no": no, "period": request.period,
              "end_assets": f"{report.end_assets:,}", "profit": f"{report.profit:,}"}
    return _message(request, default_subject=f"账户对账单 {request.period}", default_text=ACCOUNT_TEXT, values=values,
                    pdf_name=f"account-report-{request.period}-{no}.pdf", pdf=account_report_pdf(report))


def wealth_report_render(request: ContentRequest) -> RenderedContent | None:
    """The wealth report of the quarter containing the strategy's month (the year for a yearly strategy)."""
    no = request.customer.customer_no
    year, month = (int(x) for x in request.period.split("-"))
    label = str(year) if request.frequency == "yearly" else quarter_of(dt.date(year, month, 1))
    try:
        with warehouse_read() as con:
            report = wealth_report_data(con, customer_no=no, period=label)
    except DomainError:
        return None
    values = {"name": request.customer.name, "customer_no": no, "period": label, "end_assets": f"{report.end_assets:,}",
              "profit": f"{report.profit:,}", "twr": report.twr_percent}
    return _message(request, default_subject=f"理财报告 {label}", default_text=WEALTH_TEXT, values=values,
                    pdf_name=f"wealth-report-{label}-{no}.pdf", pdf=wealth_report_pdf(report))


def register_renderers() -> None:
    register_content("account_report", account_report_render)
    register_content("wealth_report", wealth_report_render)
