from django.db import migrations

OLD = ["customer_type", "risk_level"]


def by_band_and_tier(apps, schema_editor):
    """客户资产分布 as the issue asks (asset band × tier), unless someone has edited the shipped definition."""
    Report = apps.get_model("reports", "Report")
    Report.objects.filter(name="客户资产分布", shipped=True, dimensions=OLD).update(
        dimensions=["asset_band", "tier"], description="客户资产按资产区间与客户分层分布（月末资产）")


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_shipped_reports")]
    operations = [migrations.RunPython(by_band_and_tier, migrations.RunPython.noop)]
