from django.db import migrations

from brokercrm.reports.definitions import SHIPPED, apply_reports, parse_reports

OLD = ["customer_type", "risk_level"]
NEW_REPORTS = ("薪酬成本月报", "行为分群业绩")


def by_band_and_tier(apps, schema_editor):
    """客户资产分布 as the issue asks (asset band × tier), unless someone has edited the shipped definition; the payroll
    and behaviour group reports shipped since, when missing."""
    Report = apps.get_model("reports", "Report")
    Report.objects.filter(name="客户资产分布", shipped=True, dimensions=OLD).update(
        dimensions=["asset_band", "tier"], description="客户资产按资产区间与客户分层分布（月末资产）")
    definitions = parse_reports(SHIPPED.read_text(encoding="utf-8"), file=SHIPPED.name)
    missing = [d for d in definitions if d["name"] in NEW_REPORTS and not Report.objects.filter(name=d["name"]).exists()]
    apply_reports(missing, model=Report, shipped=True)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_shipped_reports")]
    operations = [migrations.RunPython(by_band_and_tier, migrations.RunPython.noop)]
