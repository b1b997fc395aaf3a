"""The shipped object types (complaint 投诉, campaign 营销活动) as data, version 1 of each: editable afterwards like any other."""
from pathlib import Path

from django.db import migrations

SHIPPED = Path(__file__).resolve().parent.parent / "shipped" / "objects.yaml"


def load(apps, schema_editor):
    from brokercrm.core import yamlio  # noqa: PLC0415 (a migration reads the shipped file with the app's own checks)
    from brokercrm.objects import definition  # noqa: PLC0415
    from brokercrm.org.roles import ALL_ROLES  # noqa: PLC0415

    ObjectType = apps.get_model("objects", "ObjectType")
    ObjectTypeVersion = apps.get_model("objects", "ObjectTypeVersion")
    doc = yamlio.load(SHIPPED.read_bytes(), file=str(SHIPPED.name), expected_format=definition.FORMAT)
    codes = {str(node["code"]) for node in doc["types"]}
    for node in doc["types"]:
        checked = definition.check(node, file=SHIPPED.name, roles=set(ALL_ROLES), type_codes=codes)
        if ObjectType.objects.filter(code=checked["code"]).exists():
            continue
        object_type = ObjectType.objects.create(code=checked["code"], name_zh=checked["name_zh"], name_en=checked["name_en"],
                                                version=1, definition=checked)
        ObjectTypeVersion.objects.create(object_type=object_type, version=1, definition=checked, note="shipped")


class Migration(migrations.Migration):
    dependencies = [("objects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
