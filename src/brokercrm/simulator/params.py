"""Every tunable of the simulated brokerage, with its default (documented in docs/simulator.md)."""
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class WorldParams:
    """Rates are per year unless named otherwise; money in yuan; shares are fractions of customers."""

    # Security universe at the start, and new listings during the period.
    stocks: int = 1500
    etfs: int = 60
    open_funds: int = 150
    bonds: int = 120
    wealth_products: int = 60
    new_listings_per_year: float = 100.0
    new_wealth_products_per_year: float = 24.0

    # The opening book.
    institution_share: float = 0.015
    silent_share: float = 0.12
    dormant_share: float = 0.06
    closed_before_start_share: float = 0.03
    median_wealth: float = 50_000.0
    wealth_sigma: float = 1.5
    pareto_share: float = 0.03
    pareto_alpha: float = 1.3
    unassessed_share: float = 0.02
    questionnaire_lapser_share: float = 0.35

    # Events per customer and year.
    new_accounts_per_year: float = 0.12
    closings_per_year: float = 0.03
    branch_changes_per_year: float = 0.02
    freezes_per_year: float = 0.003
    unfreeze_per_day: float = 0.02
    contact_changes_per_year: float = 0.02
    security_transfers_in_per_year: float = 0.04
    security_transfers_out_per_year: float = 0.03
    advisory_fee_per_year: float = 0.02

    # Money.
    commission_minimum: int = 500  # cents (5.00 yuan), unless waived for the customer
    minimum_waived_share: float = 0.15
    cash_interest_rate_e7: int = 10_000  # 0.10% a year on cash, paid quarterly (结息)
    repo_rate_e7: int = 150_000  # 1.5% a year, overnight reverse repo
    repo_user_share: float = 0.04

    # Staff and broker relationships.
    staff_leaves_per_year: float = 0.12
    departed_before_start_share: float = 0.06
    no_relation_share: float = 0.12
    service_relation_share: float = 0.30
    transfers_per_year: float = 0.03
    reassigned_on_departure_share: float = 0.85

    def as_dict(self) -> dict:
        return asdict(self)


TRADING_DAYS_PER_YEAR = 244

# Enumerations kept as small integers in the arrays; index = code.
MARKETS = ["SH", "SZ", "BJ", "OF"]
SECURITY_TYPES = ["stock", "fund", "bond", "repo", "wealth"]
STOCK, FUND, BOND, REPO, WEALTH = range(5)
SH, SZ, BJ, OF = range(4)
CUSTOMER_TYPES = ["individual", "institution"]
ID_TYPES = ["id_card", "passport", "business_license", "other"]
GENDERS = ["", "M", "F"]  # 0 = NULL
STATUSES = ["normal", "frozen", "closed"]
NORMAL, FROZEN, CLOSED = range(3)
RISK_LEVELS_C = ["", "C1", "C2", "C3", "C4", "C5"]  # 0 = NULL
RISK_LEVELS_R = ["", "R1", "R2", "R3", "R4", "R5"]
CHANNELS = ["app", "web", "phone", "counter"]
FLOW_TYPES = ["bank_in", "bank_out", "dividend", "interest", "fee", "other"]
BANK_IN, BANK_OUT, DIVIDEND, INTEREST, FEE, OTHER = range(6)
# Behaviour archetypes of customers.
SILENT, DORMANT, HOLDER, REGULAR, ACTIVE, DAYTRADER = range(6)
