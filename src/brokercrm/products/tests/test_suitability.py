"""The suitability engine (适当性): every C × R, the questionnaire's presence and age, minimum subscription, shelf, status."""
import datetime as dt
from decimal import Decimal

import pytest

from brokercrm.customers.facade import CustomerRef
from brokercrm.products.suitability import ProductTerms, suitability

DAY = dt.date(2026, 6, 30)


def customer(risk_level="C3", assessed_on=dt.date(2025, 1, 2), status="normal") -> CustomerRef:
    return CustomerRef(id=1, customer_no="1001", name="张三", branch_id=1, branch_code="0001", branch_name="浦东", status=status,
                       open_date=dt.date(2020, 1, 2), close_date=None, risk_level=risk_level, risk_assessed_on=assessed_on)


def product(risk_level="R3", minimum=Decimal(0), on_sale=True, start=None, end=None) -> ProductTerms:
    return ProductTerms(risk_level=risk_level, min_subscription=minimum, on_sale=on_sale, sale_start=start, sale_end=end)


@pytest.mark.parametrize("c", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("r", [1, 2, 3, 4, 5])
def test_a_product_suits_exactly_when_its_risk_is_at_most_the_tolerance(c, r):
    """R ≤ C suits; R > C is refused with risk_above_tolerance alone (R1 fits everyone, R5 only C5)."""
    answer = suitability(product(f"R{r}"), customer(f"C{c}"), on=DAY)

    assert answer.suitable is (r <= c)
    assert answer.reasons == (() if r <= c else ("risk_above_tolerance",))


def test_a_questionnaire_two_years_old_blocks_from_its_anniversary_on():
    """Valid the day before the second anniversary, expired on it (SUITABILITY_VALID_YEARS = 2)."""
    assessed = dt.date(2024, 6, 30)

    assert suitability(product("R1"), customer("C5", assessed), on=dt.date(2026, 6, 29)).suitable is True
    assert suitability(product("R1"), customer("C5", assessed), on=dt.date(2026, 6, 30)).reasons == ("questionnaire_expired",)


def test_an_expired_questionnaire_and_a_risk_above_tolerance_are_both_named():
    """Reasons accumulate, in their fixed order."""
    answer = suitability(product("R4"), customer("C2", dt.date(2020, 1, 1)), on=DAY)

    assert answer.reasons == ("questionnaire_expired", "risk_above_tolerance")


@pytest.mark.parametrize("risk_level, assessed_on", [("", None), ("C3", None), ("", dt.date(2025, 1, 2))])
def test_without_a_questionnaire_nothing_suits_not_even_r1(risk_level, assessed_on):
    """A missing tolerance or questionnaire date is no_questionnaire (and only that)."""
    assert suitability(product("R1"), customer(risk_level, assessed_on), on=DAY).reasons == ("no_questionnaire",)


@pytest.mark.parametrize("assets, suitable", [(None, False), (Decimal("49999.99"), False), (Decimal("50000.00"), True)])
def test_assets_must_reach_the_minimum_subscription(assets, suitable):
    """Assets at the minimum suit; below it, or unknown, is below_min_subscription."""
    answer = suitability(product("R2", Decimal("50000.00")), customer(), on=DAY, assets=assets)

    assert answer.suitable is suitable
    assert answer.reasons == (() if suitable else ("below_min_subscription",))


@pytest.mark.parametrize("terms", [product(on_sale=False), product(start=dt.date(2026, 7, 1)), product(end=dt.date(2026, 6, 29))])
def test_a_product_off_sale_or_outside_its_window_is_not_on_sale(terms):
    """停售, or a day outside the sale window, is not_on_sale."""
    assert suitability(terms, customer(), on=DAY).reasons == ("not_on_sale",)


@pytest.mark.parametrize("status", ["frozen", "closed"])
def test_a_frozen_or_closed_account_gets_nothing(status):
    """Only a normal account may be recommended to."""
    assert suitability(product("R1"), customer(status=status), on=DAY).reasons == ("customer_not_normal",)
