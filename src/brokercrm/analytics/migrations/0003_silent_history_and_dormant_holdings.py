from django.db import migrations

# The shipped rules this migration corrects; a group edited by the operator since is left as it is.
OLD_RULES = {
    "silent": "year.max_end_assets < 1000 and year.active_days == 0",
    "dormant": "months_without_trade >= 36 and end_assets < 100",
}


def correct_defaults(apps, schema_editor):
    """silent needs 12 months of history; dormant reads the month-end positions and cash (SPEC "Business rules")."""
    from brokercrm.analytics.seed import DEFAULT_GROUPS

    BehaviourGroup = apps.get_model("analytics", "BehaviourGroup")
    shipped = {code: (description, rule) for code, _, _, description, rule in DEFAULT_GROUPS}
    for code, old_rule in OLD_RULES.items():
        description, rule = shipped[code]
        BehaviourGroup.objects.filter(code=code, rule=old_rule).update(rule=rule, description=description)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_default_segments")]
    operations = [migrations.RunPython(correct_defaults, migrations.RunPython.noop)]
