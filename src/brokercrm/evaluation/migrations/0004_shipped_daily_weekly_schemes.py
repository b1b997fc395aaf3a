from django.db import migrations

from brokercrm.evaluation.schemes_io import SHIPPED, apply_schemes, parse_schemes
from brokercrm.org.facade import staff_categories

# The schemes shipped with daily and weekly evaluation, added to an install that already has its schemes.
ADDED = ("AM-DAILY", "AM-WEEKLY")


def ship(apps, schema_editor):
    models = {"Scheme": apps.get_model("evaluation", "Scheme"), "SchemeItem": apps.get_model("evaluation", "SchemeItem")}
    if models["Scheme"].objects.filter(code__in=ADDED).exists():
        return
    categories = staff_categories(apps.get_model("org", "StaffCategory"))
    if "account_manager" not in categories:
        return
    schemes = parse_schemes(SHIPPED.read_text(encoding="utf-8"), file=SHIPPED.name, categories=categories)
    apply_schemes([s for s in schemes if s["code"] in ADDED], models=models, categories=categories)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_daily_weekly_periods")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
