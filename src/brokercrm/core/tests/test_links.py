"""url_former answers what reverse() answers, for plain and for quoted arguments."""
import pytest
from django.urls import reverse

from brokercrm.core.links import url_former


@pytest.mark.parametrize("number", ["10000001", "A B:1%"])
def test_a_formed_url_equals_the_reversed_one(number):
    """Given the customer 360 pattern reversed once, when a customer number is placed into it, then the URL is the one
    reverse() gives for that number (spaces and percent signs quoted alike, colons left)."""
    assert url_former("customers:detail", 1)(number) == reverse("customers:detail", args=[number])


def test_two_arguments_each_go_to_their_place():
    """Given the product page's two arguments, then market and code land where reverse() puts them."""
    assert url_former("products:detail", 2)("SH", "600519") == reverse("products:detail", args=["SH", "600519"])
