from django.db import migrations

from brokercrm.compensation.rules_io import SHIPPED, apply_pay_rules, category_map, parse_pay_rules

MODELS = ("PayGrade", "PayItem", "TierTable", "PayConstant", "PayStructure", "PayRule")


def ship(apps, schema_editor):
    models = {name: apps.get_model("compensation", name) for name in MODELS}
    models |= {"StaffCategory": apps.get_model("org", "StaffCategory"), "StaffLevel": apps.get_model("org", "StaffLevel")}
    if models["PayStructure"].objects.exists():
        return
    data = parse_pay_rules(SHIPPED.read_text(encoding="utf-8"), file=SHIPPED.name,
                           categories=category_map(models["StaffCategory"], models["StaffLevel"]))
    apply_pay_rules(data, models=models)


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial"), ("org", "0002_seed_staff_categories")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
