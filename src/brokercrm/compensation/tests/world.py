"""The month most payroll tests stand on: org_world's staff with hand-chosen indicators for 2026-03 (and 2025-03)."""
from decimal import Decimal as D

from brokercrm.evaluation.tests.snapshot import publish

MONTH = "2026-03"
STAFF_2026_03 = [
    {"key": "S0003", "period": MONTH, "net_commission": D("35000.00"), "commission": D("40000.00"), "trade_amount": D("80000000.00"),
     "avg_daily_assets": D("25000000.00"), "effective_new_customers": 2, "new_customers": 3, "customer_count": 120},
    {"key": "S0004", "period": MONTH, "net_commission": D("10000.00"), "avg_daily_assets": D("4000000.00"), "customer_count": 60},
    {"key": "S0002", "period": MONTH, "net_commission": D("5000.00"), "customer_count": 30},
    {"key": "S0005", "period": MONTH, "net_commission": D("60000.00"), "customer_count": 200},
]
LAST_YEAR = [{"key": "S0003", "period": "2025-03", "net_commission": D("30000.00")}]
BRANCHES = [{"key": "0001", "period": MONTH, "net_commission": D("50000.00")},
            {"key": "0002", "period": MONTH, "net_commission": D("60000.00")}]
CUSTOMERS = [
    {"key": "10000001", "period": MONTH, "net_commission": D("30000.00"), "trade_count": 12, "trade_amount": D("70000000.00")},
    {"key": "10000002", "period": MONTH, "net_commission": D("5000.00"), "trade_count": 3, "trade_amount": D("10000000.00")},
]


def publish_month(directory, *, extra=None):
    return publish(directory, months={"2025-03": 21, MONTH: 22}, staff=STAFF_2026_03 + LAST_YEAR, branches=BRANCHES,
                   customers=CUSTOMERS, extra=extra)


def install_shipped_templates():
    """Transactional (browser) tests flush what the data migrations shipped: put the templates back."""
    from brokercrm.compensation.rules_io import SHIPPED, apply_pay_rules, parse_pay_rules
    from brokercrm.compensation.services import RULE_MODELS
    from brokercrm.evaluation.schemes_io import SHIPPED as SCHEMES, apply_schemes, parse_schemes
    from brokercrm.evaluation.services import MODELS
    from brokercrm.org.facade import staff_categories
    from brokercrm.org.tests.factories import category

    category("account_manager")
    categories = staff_categories()
    apply_pay_rules(parse_pay_rules(SHIPPED.read_text(encoding="utf-8"), file="pay_rules.yaml", categories=categories),
                    models=RULE_MODELS, categories=categories)
    apply_schemes(parse_schemes(SCHEMES.read_text(encoding="utf-8"), file="schemes.yaml", categories=categories),
                  models=MODELS, categories=categories)


def approve_all(world, run):
    """Both branches by admin, to whom the engine escalates them: branch 0001's manager has a payslip in it, branch 0002
    has no branch manager user, and head office submitted."""
    from brokercrm.compensation.services import payroll_branch_approve

    b1, b2 = world["branches"]
    payroll_branch_approve(actor=world["users"]["admin"], run=run, branch=b1)
    return payroll_branch_approve(actor=world["users"]["admin"], run=run, branch=b2)
