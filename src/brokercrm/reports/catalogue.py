"""The catalogue of measures and dimensions as people read it: Chinese and English names and the 口径 of each.

The warehouse measures are computed by the data center's semantic layer (datacenter/semantic.py, reached through its
facade); this module only names and explains them, in the words of docs/metrics.md, so the builder page, the
Excel headers and the API speak of the same things. Names shown to users are data in both languages (a report is read
in Chinese and sent to systems in English), not interface strings.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from brokercrm.datacenter.facade import MEASURE_KINDS
from brokercrm.reports.object_measures import is_object_measure, object_catalogue


@dataclass(frozen=True)
class Entry:
    name: str
    zh: str
    en: str
    definition: str
    kind: str = ""


SERVICE_KINDS = {"visit_completion_rate": "rate", "score": "score", "gross_pay": "money", "pay_deductions": "money",
                 "net_pay": "money"}


def _measure(name: str, zh: str, en: str, definition: str) -> Entry:
    return Entry(name, zh, en, definition, MEASURE_KINDS.get(name) or SERVICE_KINDS.get(name, "count"))


MEASURES = {e.name: e for e in [
    _measure("avg_daily_assets", "日均资产", "Average daily assets",
          "区间内各交易日总资产之和 ÷ 交易日数；缺失的资产行按 0 计；按事实日期的归属汇总"),
    _measure("end_assets", "期末资产", "End-of-period assets", "区间最后一个交易日的总资产（缺失为 0）"),
    _measure("net_inflow", "资产净流入", "Net inflow", "银证转入 − 转出（bank_in/bank_out）+ 证券转入市值 − 转出市值"),
    _measure("trade_amount", "交易量", "Trade amount", "交割单成交金额之和"),
    _measure("trade_count", "成交笔数", "Trades", "交割单笔数"),
    _measure("active_days", "交易天数", "Active days", "有成交的（客户, 交易日）对数"),
    _measure("commission", "佣金", "Commission", "交割单佣金之和"),
    _measure("net_commission", "净佣金", "Net commission", "Σ（佣金 − 经手费 − 证管费）"),
    _measure("commission_rate", "佣金率", "Commission rate", "佣金之和 ÷ 交易量之和，交易量为 0 时为空；六位小数"),
    _measure("customer_count", "客户数", "Customers", "区间最后一个交易日在户、当日归属于该分组的客户数"),
    _measure("new_customers", "新开户数", "New accounts", "开户日在区间内的客户，按开户日的归属计"),
    _measure("effective_new_customers", "新增有效户", "Effective new accounts",
          "新开户中区间内某交易日总资产达到有效户门槛（默认 10,000.00）的客户"),
    _measure("alerts_raised", "异动提醒数", "Alerts raised", "业务日期在区间内的异动提醒；员工为提醒分派的员工"),
    _measure("alerts_resolved", "已处理提醒数", "Alerts resolved", "处理时间在区间内的异动提醒"),
    _measure("tasks_due", "到期任务数", "Tasks due", "到期日在区间内、未取消的服务任务（含回访）"),
    _measure("tasks_done", "完成任务数", "Tasks done", "完成时间在区间内的服务任务（含回访）"),
    _measure("visits_due", "应回访数", "Visits due", "到期日在区间内、未取消的回访任务"),
    _measure("visits_done", "完成回访数", "Visits done", "完成时间在区间内的回访任务"),
    _measure("visit_completion_rate", "回访完成率", "Visit completion rate",
             "到期日在区间内的回访中已完成的比例（已完成 ÷ 应回访），无应回访时为空；对照监管要求的回访完成率"),
    _measure("unmask_count", "查看明文次数", "Unmasks", "审计日志中查看客户明文个人信息的次数；按查看人的员工号与营业部、查看日期"),
    _measure("gross_pay", "应发工资", "Gross pay",
             "当月薪酬核算（工资单）的应发合计；按员工号、发薪营业部与薪酬月份（及季度、年）分组"),
    _measure("pay_deductions", "扣款合计", "Deductions", "当月工资单的扣款合计；分组同应发工资"),
    _measure("net_pay", "实发工资", "Net pay", "当月工资单的实发金额（应发 − 扣款）；分组同应发工资"),
    _measure("score", "考核得分", "Score", "员工当月有效月度考核方案的得分（考核运行结果）；按员工号（及月）分组"),
]}

DIMENSIONS = {e.name: e for e in [
    Entry("customer_no", "客户号", "Customer", "事实所属客户"),
    Entry("staff_no", "员工号", "Staff", "事实日期当天有效的开发关系的员工；无开发关系记为 UNATTRIBUTED"),
    Entry("branch_code", "营业部", "Branch", "事实日期当天有效的客户资料版本所在营业部"),
    Entry("day", "日", "Day", "交易日"),
    Entry("month", "月", "Month", "自然月（按导出同样的口径裁剪到已加载区间与查询区间）"),
    Entry("quarter", "季度", "Quarter", "自然季度"),
    Entry("year", "年", "Year", "自然年"),
    Entry("customer_type", "客户类型", "Customer type", "客户当前资料中的客户类型"),
    Entry("risk_level", "风险等级", "Risk level", "客户当前资料中的风险等级"),
    Entry("tier", "客户分层", "Tier", "客户最近一个已细分月份的价值分层（客户细分）"),
    Entry("team", "团队", "Team", "员工当前所在团队（组织架构）"),
    Entry("staff_category", "员工类别", "Staff category", "员工当前类别"),
    Entry("staff_level", "员工职级", "Staff level", "员工当前职级"),
    Entry("asset_band", "资产区间", "Asset band",
          "客户当月月末总资产（客户月指标 end_assets，无则为 0）所在的资产区间；区间可配置（REPORT_ASSET_BANDS）"),
    Entry("behaviour_group", "行为分群", "Behaviour group",
          "客户当月所属的行为分群（客户细分）；同属多个分群的客户在每个分群各计一次，未入任何分群的为空"),
]}

# 资产区间: (lower bound in yuan, label), ascending from 0; a project overrides them with settings.REPORT_ASSET_BANDS.
ASSET_BANDS = (("0", "1万以下"), ("10000", "1万–10万"), ("100000", "10万–50万"), ("500000", "50万–100万"),
               ("1000000", "100万–500万"), ("5000000", "500万及以上"))


def asset_bands() -> tuple[tuple[Decimal, str], ...]:
    """The configured asset bands as the semantic layer takes them."""
    return tuple((Decimal(lower), label) for lower, label in getattr(settings, "REPORT_ASSET_BANDS", ASSET_BANDS))


def measure_entries() -> dict[str, Entry]:
    """Every measure: the fixed ones above, then the business objects' (one per type and number field, read at each call:
    a type or field added on the admin pages is a measure at once)."""
    return MEASURES | {code: Entry(code, zh, en, definition, kind) for code, zh, en, definition, kind in object_catalogue()}


def measure_entry(name: str) -> Entry | None:
    """One measure's entry (the objects app is asked only for an object measure's name)."""
    return measure_entries().get(name) if is_object_measure(name) else MEASURES.get(name)


def column_title(name: str) -> str:
    """A column's Chinese name for spreadsheets (the code itself when it is neither a measure nor a dimension)."""
    entry = measure_entry(name) or DIMENSIONS.get(name)
    return entry.zh if entry else name
