from django.db import migrations

from brokercrm.reports.definitions import ship


def ship_reports(apps, schema_editor):
    """The shipped reports and each role's default dashboard, as editable data."""
    ship(report_model=apps.get_model("reports", "Report"), widget_model=apps.get_model("reports", "DashboardWidget"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_reports_dashboards_subscriptions")]
    operations = [migrations.RunPython(ship_reports, migrations.RunPython.noop)]
