import pytest


@pytest.fixture(autouse=True)
def _calendar_database(db):
    """Every check reads the trading calendar, whose imported closures live in the app database."""
