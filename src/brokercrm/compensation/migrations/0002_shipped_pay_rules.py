from django.db import migrations

from brokercrm.compensation.rules_io import SHIPPED, apply_pay_rules, parse_pay_rules
from brokercrm.org.facade import staff_categories

MODELS = ("PayGrade", "PayItem", "TierTable", "PayConstant", "PayStructure", "PayRule")


def ship(apps, schema_editor):
    models = {name: apps.get_model("compensation", name) for name in MODELS}
    if models["PayStructure"].objects.exists():
        return
    categories = staff_categories(apps.get_model("org", "StaffCategory"))
    data = parse_pay_rules(SHIPPED.read_text(encoding="utf-8"), file=SHIPPED.name, categories=categories)
    apply_pay_rules(data, models=models, categories=categories)


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial"), ("org", "0002_seed_staff_categories")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
