"""Money is Decimal, rounded half-up to 0.01 at defined points; never float."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize to 0.01, half-up (ties away from zero), and never return -0.00."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount + Decimal("0.00") if amount == 0 else amount


def quantize(value: Decimal, places: int) -> Decimal:
    """Half-up to the given number of decimals."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{to_money(value):.2f}"
