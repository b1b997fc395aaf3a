import pytest

from brokercrm.customers.selectors import CustomerFilters, customer_search

pytestmark = pytest.mark.django_db


def found(book, query: str, who: str = "admin", **filters) -> set[str]:
    qs = customer_search(user=book["users"][who], filters=CustomerFilters(q=query, **filters))
    return set(qs.values_list("customer_no", flat=True))


@pytest.mark.parametrize("query,expected", [
    ("1001", {"1001"}),                       # customer_no exact
    ("100", {"1001", "1002", "10031"}),       # customer_no prefix
    ("张三", {"1001", "1002"}),                # name prefix (2 characters: no containment)
    ("张三丰", {"1001", "2001"}),              # name contained, 3+ characters
    ("13812345678", {"1001"}),                # mobile in full
    ("+86 138-1234-5678", {"1001"}),          # mobile with country code and separators
    ("310101199001011234", {"1001"}),         # ID number in full
    ("31010119850505123x", {"1002"}),         # ID number, lower-case check character
    ("123x", {"1002"}),                       # ID number's last four
    ("1234", {"1001"}),                       # ID last four (no mobile ends in 1234)
    ("5678", {"1001", "1002", "10031", "2001"}),  # mobile last four of three, passport last four of one
    ("1111", {"10031", "2001"}),              # union: 10031 by ID last four, 2001 by mobile last four
    ("9999", set()),
])
def test_each_search_key_and_their_union(book, query, expected):
    """A query matches customer_no, name, mobile or ID number by the issue's rules, and the result is the union."""
    assert found(book, query) == expected


def test_last_four_digits_find_only_the_brokers_own_customers(book):
    """The broker searching 5678 sees only the customers they hold a relation with, not branch colleagues' or other branches'."""
    assert found(book, "5678", "broker") == {"1001", "2001"}
    assert found(book, "5678", "other_broker") == {"10031"}
    assert found(book, "5678", "branch_manager") == {"1001", "1002", "2001"}


def test_filters_combine_with_the_search(book):
    """Branch, staff, risk level, status, open date and tag filters narrow the list; sorting by open date descending."""
    import datetime as dt

    from brokercrm.customers.services import customer_tag_add

    assert found(book, "", branch="0002") == {"10031"}
    assert found(book, "", staff="S0004") == {"1002"}
    assert found(book, "", risk_level="C4") == {"1001", "2001"}
    assert found(book, "", status="frozen") == {"10031"}
    assert found(book, "", opened_from=dt.date(2023, 1, 1)) == {"1002"}
    customer_tag_add(actor=book["users"]["broker"], customers=[book["customers"]["c4"]], tag_name="高净值")
    assert found(book, "", tag="高净值") == {"2001"}
    qs = customer_search(user=book["users"]["admin"], filters=CustomerFilters(sort="-open_date"))
    assert list(qs.values_list("customer_no", flat=True))[0] == "1002"


def test_assets_range_filters_and_sorts_by_the_copied_month_figures(book):
    """Assets filters read the latest month's end assets copied from the marts; sorting by assets puts the largest first."""
    from decimal import Decimal

    from brokercrm.customers.models import CustomerFigures

    for key, amount in (("c1", "150000.00"), ("c2", "800.00"), ("c4", "20000.50")):
        CustomerFigures.objects.create(customer=book["customers"][key], period="2026-03", end_assets=Decimal(amount),
                                       avg_daily_assets=Decimal(amount), net_commission=Decimal("0.00"))
    assert found(book, "", assets_min=Decimal("20000.50")) == {"1001", "2001"}
    assert found(book, "", assets_min=Decimal("500"), assets_max=Decimal("20000.49")) == {"1002"}
    qs = customer_search(user=book["users"]["admin"], filters=CustomerFilters(sort="-assets", assets_min=Decimal("0")))
    assert list(qs.values_list("customer_no", flat=True)) == ["1001", "2001", "1002"]


def test_a_registered_list_filter_narrows_by_a_customer_set(book):
    """Another app (e.g. analytics' tiers) adds a filter that narrows the list by a set of customer numbers."""
    from django.db.models import Q

    from brokercrm.customers import selectors

    selectors.register_list_filter("tier_test", "Tier", choices=lambda: [("gold", "Gold")],
                                   customer_q=lambda value: Q(customer_no__in={"gold": ["1002", "10031"]}[value]))
    try:
        assert found(book, "", "branch_manager", extra={"tier_test": "gold"}) == {"1002"}
    finally:
        selectors._list_filters.pop("tier_test")



def test_contained_name_search_follows_renames_from_the_load(book):
    """A customer renamed by a load is found by a piece of the new name, no longer by the old one (name pieces kept current)."""
    import datetime as dt

    from brokercrm.customers.services import customer_sync

    row = {"customer_no": "1001", "name": "欧阳修文", "customer_type": "individual", "id_type": "id_card",
           "id_no": "310101199001011234", "gender": None, "birth_date": None, "mobile": "13812345678", "email": None,
           "address": None, "branch_code": "0001", "open_date": dt.date(2020, 1, 2), "close_date": None, "status": "normal",
           "risk_level": "C4", "risk_assessed_on": dt.date(2025, 6, 30)}
    customer_sync(rows=[row, row | {"customer_no": "3001", "name": "司马修文"}], business_date=dt.date(2026, 3, 2))
    assert found(book, "阳修文") == {"1001"}
    assert found(book, "修文") == set()  # two characters: prefix only
    assert found(book, "马修文") == {"3001"}
    assert found(book, "张三丰") == {"2001"}
