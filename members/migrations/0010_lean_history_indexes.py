# The indexes that nothing reads and every write of a member's history pays
# for (the roster import most of all): the historical rows' copies of the
# unique numbers' and the cell's indexes, and the foreign-key indexes of the
# placements and status periods, which placement_member_idx,
# placement_unit_idx and status_member_idx begin with.
#
# The indexes are dropped by name. Django's AlterField would also drop
# status_one_open (a partial unique index on the same column: the rule of one
# open status per member) and drop and re-add, so re-check, each foreign key.

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    "members_historicalmember_card_number_de5df0d6",
    "members_historicalmember_card_number_de5df0d6_like",
    "members_historicalmember_national_id_4fe8d413",
    "members_historicalmember_national_id_4fe8d413_like",
    "members_historicalmember_unit_id_c2d0b503",
    "members_placement_member_id_fbf7c895",
    "members_placement_unit_id_ff1b6bd5",
    "members_statusperiod_member_id_0d6da1ab",
]
# back to what 0007 left, for a migration backwards
RECREATE = [
    (
        "members_historicalmember_card_number_de5df0d6",
        "members_historicalmember",
        "card_number",
        "",
    ),
    (
        "members_historicalmember_card_number_de5df0d6_like",
        "members_historicalmember",
        "card_number",
        " varchar_pattern_ops",
    ),
    (
        "members_historicalmember_national_id_4fe8d413",
        "members_historicalmember",
        "national_id",
        "",
    ),
    (
        "members_historicalmember_national_id_4fe8d413_like",
        "members_historicalmember",
        "national_id",
        " varchar_pattern_ops",
    ),
    ("members_historicalmember_unit_id_c2d0b503", "members_historicalmember", "unit_id", ""),
    ("members_placement_member_id_fbf7c895", "members_placement", "member_id", ""),
    ("members_placement_unit_id_ff1b6bd5", "members_placement", "unit_id", ""),
    ("members_statusperiod_member_id_0d6da1ab", "members_statusperiod", "member_id", ""),
]


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def recreate(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, column, ops in RECREATE:
        if ops and not postgres:
            continue
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)}{ops})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_list_runs"),
        ("organizations", "0007_level_central"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalmember",
                    name="card_number",
                    field=models.CharField(
                        blank=True, max_length=20, null=True, verbose_name="số thẻ đảng viên"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmember",
                    name="national_id",
                    field=models.CharField(
                        blank=True,
                        max_length=12,
                        null=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^\\d{12}$", "Số CCCD phải gồm đúng 12 chữ số."
                            )
                        ],
                        verbose_name="số CCCD",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmember",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organizations.unit",
                        verbose_name="chi bộ",
                    ),
                ),
                migrations.AlterField(
                    model_name="placement",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="placements",
                        to="members.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="placement",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="placements",
                        to="organizations.unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="statusperiod",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="status_periods",
                        to="members.member",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, recreate)],
        ),
    ]
