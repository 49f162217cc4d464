"""A partial index on the absences (excused and unexcused), for the
meeting_attendance report: its absences query probed every attendance row of
every meeting of the period to keep the one or two absent (1.4 million rows,
~95% present, at province scale: 170 ms on PostgreSQL); with this index it
reads only the absent rows (55 ms).

Raw SQL, left out of the migration state: the index belongs to a report's
query rather than to the model, and a model index would need the meetings
model's Meta changed with it. Additive only; SQLite and PostgreSQL both
support partial indexes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX attendance_absent_idx ON meetings_attendance (meeting_id, status) "
                "WHERE status IN ('excused', 'unexcused')"
            ),
            reverse_sql="DROP INDEX attendance_absent_idx",
        )
    ]
