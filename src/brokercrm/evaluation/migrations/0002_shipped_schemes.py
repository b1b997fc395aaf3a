from django.db import migrations

from brokercrm.evaluation.schemes_io import SHIPPED, apply_schemes, parse_schemes
from brokercrm.evaluation.yamlio import category_map


def ship(apps, schema_editor):
    models = {"Scheme": apps.get_model("evaluation", "Scheme"), "SchemeItem": apps.get_model("evaluation", "SchemeItem"),
              "StaffCategory": apps.get_model("org", "StaffCategory"), "StaffLevel": apps.get_model("org", "StaffLevel")}
    if models["Scheme"].objects.exists():
        return
    schemes = parse_schemes(SHIPPED.read_text(encoding="utf-8"), file=SHIPPED.name,
                            categories=category_map(models["StaffCategory"], models["StaffLevel"]))
    apply_schemes(schemes, models=models)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial"), ("org", "0002_seed_staff_categories")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
