"""API tokens get a name, an expiry and a revocation time; tokens made before never expired, so they end
BROKERCRM_API_TOKEN_DAYS after this upgrade (the integrations using them have that long to take a new one)."""
import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("org", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + dt.timedelta(days=settings.BROKERCRM_API_TOKEN_DAYS))


class Migration(migrations.Migration):
    dependencies = [("org", "0002_seed_staff_categories")]

    operations = [
        migrations.AlterModelOptions(name="apitoken", options={"ordering": ["-created_at", "-id"], "verbose_name": "API token"}),
        migrations.AddField(model_name="apitoken", name="name", field=models.CharField(blank=True, max_length=100, verbose_name="name")),
        migrations.AddField(model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True, verbose_name="expires")),
        migrations.AddField(model_name="apitoken", name="revoked_at", field=models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField(verbose_name="expires")),
    ]
