"""python manage.py import_units FILE [--dry-run] [--skip-invalid] [--json] [--user NAME]

The unit tree through `manage.py import_data units …` (chibo.imports): one
row per unit (name, code, level, category, parent, administrative unit,
founding date); all or nothing unless --skip-invalid.
"""

from chibo.management.commands.import_data import Command as ImportData


class Command(ImportData):
    help = "Nhập cây tổ chức từ tệp Excel (.xlsx) hoặc CSV (= import_data units)."
    kind = "units"
