from django.db import migrations

from brokercrm.reports.definitions import SHIPPED, apply_dashboards, apply_reports, parse_dashboards, parse_reports


def ship(apps, schema_editor):
    """The shipped reports and each role's default dashboard, as editable data."""
    report, widget = apps.get_model("reports", "Report"), apps.get_model("reports", "DashboardWidget")
    text = SHIPPED.read_text(encoding="utf-8")
    definitions = parse_reports(text, file=SHIPPED.name)
    apply_reports(definitions, model=report, shipped=True)
    apply_dashboards(parse_dashboards(text, file=SHIPPED.name, names={d["name"] for d in definitions}),
                     report_model=report, widget_model=widget)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_reports_dashboards_subscriptions")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
