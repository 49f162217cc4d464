from django.db import migrations


def load(apps, schema_editor):
    from organizations.admin_units import load_administrative_units

    load_administrative_units(apps.get_model("organizations", "AdministrativeUnit"))


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
