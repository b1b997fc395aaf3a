from django.db import migrations

# SPEC's defaults: three negative months demote one level; six months at the next level's targets promote one;
# 25 effective new customers and 4,000,000 of net inflow (new assets) within a 5-month probation.
RULES = [
    ("demote", "score < 60", 3),
    ("promote", "net_commission >= next.net_commission and avg_daily_assets >= next.avg_daily_assets", 6),
]
PROBATION = (5, {"effective_new_customers": "25", "net_inflow": "4000000"})


def ship(apps, schema_editor):
    category = apps.get_model("org", "StaffCategory").objects.filter(code="account_manager").first()
    if category is None:
        return
    LevelRule = apps.get_model("evaluation", "LevelRule")
    for kind, formula, months in RULES:
        LevelRule.objects.get_or_create(category=category, kind=kind, defaults={"formula": formula, "months": months})
    apps.get_model("evaluation", "ProbationRule").objects.get_or_create(
        category=category, defaults={"months": PROBATION[0], "targets": PROBATION[1]})


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0005_appeals_and_levels"), ("org", "0002_seed_staff_categories")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
