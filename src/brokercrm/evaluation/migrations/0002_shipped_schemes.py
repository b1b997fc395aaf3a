from django.db import migrations

from brokercrm.evaluation.schemes_io import SHIPPED, apply_schemes, parse_schemes
from brokercrm.org.facade import staff_categories


def ship(apps, schema_editor):
    models = {"Scheme": apps.get_model("evaluation", "Scheme"), "SchemeItem": apps.get_model("evaluation", "SchemeItem")}
    if models["Scheme"].objects.exists():
        return
    categories = staff_categories(apps.get_model("org", "StaffCategory"))
    schemes = parse_schemes(SHIPPED.read_text(encoding="utf-8"), file=SHIPPED.name, categories=categories)
    apply_schemes(schemes, models=models, categories=categories)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial"), ("org", "0002_seed_staff_categories")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
