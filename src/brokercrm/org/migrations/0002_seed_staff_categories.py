from django.db import migrations

from brokercrm.org.seed import seed_staff_categories


def seed(apps, schema_editor):
    seed_staff_categories(apps.get_model("org", "StaffCategory"), apps.get_model("org", "StaffLevel"))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
