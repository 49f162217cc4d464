"""python manage.py import_members FILE [--dry-run] [--skip-invalid] [--json] [--user NAME] [--unit CODE]

The member roster through `manage.py import_data members …` (chibo.imports):
--unit CODE is the cell for rows that name none.
"""

from chibo.management.commands.import_data import Command as ImportData


class Command(ImportData):
    help = "Nhập danh sách đảng viên từ tệp Excel (.xlsx) hoặc CSV (= import_data members)."
    kind = "members"
