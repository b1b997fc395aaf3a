"""Research reports as PDF, rendered by WeasyPrint from title and paragraphs: the demo's library and the tests' files.

Chinese text needs a CJK font (Debian fonts-noto-cjk), as the monthly account report (servicing/documents.py) does.
"""
import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class SampleReport:
    """What a generated report says and how it is filed."""

    title: str
    analyst: str
    report_date: dt.date
    report_type: str
    paragraphs: tuple[str, ...]
    securities: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    audience: str = "internal"
    rating: str = ""
    target_price: str | None = None


def report_pdf(report: SampleReport) -> bytes:
    """The report as an A4 PDF with its text selectable (so extraction finds it)."""
    from weasyprint import HTML  # heavy (Pango, fonts): loaded only when a PDF is made

    return HTML(string=render_to_string("research/report_pdf.html", {"r": report})).write_pdf()


DEMO_REPORTS = (
    SampleReport(
        title="新能源汽车行业深度报告：渗透率提升与产业链重构", analyst="陈思远", report_date=dt.date(2026, 10, 20), report_type="industry",
        industries=("汽车",), tags=("新能源", "行业深度"), audience="clients", rating="outperform",
        paragraphs=(
            "核心观点：2026年国内新能源汽车渗透率有望突破百分之五十，动力电池成本持续下降，整车企业竞争格局加速分化。",
            "我们认为智能驾驶与高压快充是下一阶段的主要竞争点，具备垂直一体化能力的整车企业将获得更高的毛利率。",
            "风险提示：原材料价格大幅波动、海外贸易政策变化、终端需求不及预期。",
        )),
    SampleReport(
        title="贵州茅台公司点评：高端白酒需求稳健，维持买入评级", analyst="林晓岚", report_date=dt.date(2026, 10, 26), report_type="company",
        securities=("SH600519",), industries=("食品饮料",), tags=("白酒", "公司点评"), audience="clients", rating="buy", target_price="2150.00",
        paragraphs=(
            "公司前三季度营业收入同比增长百分之十五，直销渠道占比继续提升，批价保持稳定。",
            "我们维持对公司的买入评级，目标价二千一百五十元，对应明年约二十五倍市盈率。",
            "风险提示：宏观经济下行导致高端消费需求走弱。",
        )),
    SampleReport(
        title="十一月宏观策略展望：稳增长政策加码，关注顺周期板块", analyst="周明哲", report_date=dt.date(2026, 10, 29), report_type="macro",
        tags=("宏观", "月度策略"), audience="internal",
        paragraphs=(
            "十月制造业采购经理指数回升至荣枯线以上，信贷投放改善，稳增长政策效果逐步显现。",
            "策略上建议超配银行、建材与有色金属等顺周期板块，低配高估值成长板块。本报告仅供内部投资顾问参考。",
        )),
)
