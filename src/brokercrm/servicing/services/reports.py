"""Monthly account reports rendered in bulk and queued as e-mail with the PDF attached."""
from dataclasses import dataclass

from brokercrm.core.errors import DomainError
from brokercrm.customers.facade import customer_contacts_with_email
from brokercrm.servicing.documents import account_report_data, account_report_pdf, month_bounds
from brokercrm.servicing.services.outbox import message_enqueue


@dataclass(frozen=True)
class ReportRun:
    queued: int
    already_queued: int
    skipped: int


def account_reports_queue(con, *, month: str, customer_nos: list[str] | None = None) -> ReportRun:
    """Render each customer's report for `month` and queue it by e-mail (once per customer and month)."""
    first, last = month_bounds(month)
    queued = already = skipped = 0
    for customer in customer_contacts_with_email(first, last, customer_nos=customer_nos):
        key = f"account_report:{month}:{customer.customer_no}"
        try:
            report = account_report_data(con, customer_no=customer.customer_no, month=month)
        except DomainError:
            skipped += 1
            continue
        text = (f"尊敬的{customer.name}：\n\n附件为您 {month} 的账户月度对账单。期末资产 {report.end_assets} 元，"
                f"本月盈亏 {report.profit} 元。\n\n如有疑问请联系您的客户经理。")
        html = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
        _, created = message_enqueue(channel="email", recipient=customer.email, customer_id=customer.id, subject=f"账户月度对账单 {month}",
                                     body_text=text, body_html=html, dedupe_key=key,
                                     attachments=[(f"account-report-{month}-{customer.customer_no}.pdf", "application/pdf",
                                                   account_report_pdf(report))])
        queued += created
        already += not created
    return ReportRun(queued, already, skipped)
