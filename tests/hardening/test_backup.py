"""Issue 15, "backup and restore": a round trip through `manage.py backup`
and `manage.py restore` keeps every table's row count, a sample of records
field by field, and the generated files."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms.models import model_to_dict

from chibo.backup import row_counts
from chibo.models import AuditEvent, generated_storage
from meetings.models import Attendance, Meeting
from members.models import Member
from organizations.models import UnitVersion
from tests.meetings.factories import make_meeting, take_attendance


def _sample():
    return {
        "members": [model_to_dict(m) for m in Member.objects.order_by("pk")[:5]],
        "history": list(Member.history.order_by("pk").values()[:5])
        if hasattr(Member, "history")
        else [],
        "versions": list(UnitVersion.objects.order_by("pk").values()),
        "meetings": list(Meeting.objects.values()),
        "attendance": list(Attendance.objects.order_by("pk").values()),
        "audit": list(AuditEvent.objects.order_by("pk").values("actor", "action", "target_id")),
    }


def test_a_backup_restored_gives_back_every_row_and_file(tree, ward1_staff, tmp_path, capsys):
    meeting = make_meeting(tree.cell1a, actor=ward1_staff)
    take_attendance(meeting, {tree.members.m1a[0]: ("excused", "Ốm đau")}, actor=ward1_staff)
    generated_storage().save("bao-cao/thu.txt", __import__("io").BytesIO(b"noi dung"))
    counts, sample = row_counts(), _sample()
    assert counts["members.member"] == 9 and counts["meetings.attendance"] >= 3

    archive = tmp_path / "chibo.tar.gz"
    call_command("backup", str(archive))
    assert "Đã sao lưu" in capsys.readouterr().out

    # a disaster: rows lost, a file gone
    Attendance.objects.all().delete()
    Member.objects.filter(pk=tree.members.m2a[0].pk).update(full_name="Hỏng")
    generated_storage().delete("bao-cao/thu.txt")
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("restore", str(archive))  # never over data by mistake
    call_command("restore", str(archive), "--replace")

    assert row_counts() == counts
    after = _sample()
    for key, rows in sample.items():
        for before_row, after_row in zip(rows, after[key], strict=True):
            differs = {
                k: (v, after_row.get(k)) for k, v in before_row.items() if after_row.get(k) != v
            }
            assert not differs, (key, differs)
    with generated_storage().open("bao-cao/thu.txt") as fh:
        assert fh.read() == b"noi dung"
