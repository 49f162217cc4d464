"""A trigram index so the member search (search_name LIKE '%...%') stays fast
at province scale. PostgreSQL only: on SQLite the operations do nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_search_trgm_idx "
        "ON members_member USING gin (search_name gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS member_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_lifecycle_residence")]

    operations = [migrations.RunPython(forwards, backwards)]
