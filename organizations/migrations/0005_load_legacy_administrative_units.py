from django.db import migrations


def load(apps, schema_editor):
    from organizations.admin_units import load_legacy_administrative_units

    load_legacy_administrative_units(
        apps.get_model("organizations", "AdministrativeUnit"),
        apps.get_model("organizations", "AdministrativeSuccession"),
    )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0004_historical_admin_units_population")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
