"""Databases shipped before issue 15 get the pay constant cost–benefit reads for product-sales income (a fresh database
has it from the shipped pay rules already)."""
from decimal import Decimal

from django.db import migrations


def add_rate(apps, schema_editor):
    apps.get_model("compensation", "PayConstant").objects.get_or_create(
        name="product_income_rate",
        defaults={"value": Decimal("0.003"), "description": "sales income the brokerage books per yuan of product sales (cost–benefit)"})


class Migration(migrations.Migration):
    dependencies = [("compensation", "0002_shipped_pay_rules")]
    operations = [migrations.RunPython(add_rate, migrations.RunPython.noop)]
