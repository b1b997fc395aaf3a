from django.db import migrations


def seed(apps, schema_editor):
    from brokercrm.analytics.seed import seed_segment_defaults

    seed_segment_defaults(apps.get_model("analytics", "Tier"), apps.get_model("analytics", "BehaviourGroup"),
                          apps.get_model("analytics", "SegmentSettings"))


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
