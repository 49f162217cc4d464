import io
from datetime import date

import pytest
from pypdf import PdfReader

from meetings.models import AttendanceStatus, Guest
from meetings.services import minutes_adopt, minutes_correct
from organizations.models import AdministrativeUnit
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def meeting(tree):
    a, b, _ = tree.members.m1a
    m = make_meeting(tree.cell1a, held_on=date(2026, 3, 12), number="05")
    Guest.objects.create(meeting=m, name="Đồng chí Hoàng Văn Theo", follows_cell=True)
    return take_attendance(
        m, {a: (AttendanceStatus.EXCUSED, "Đi công tác"), b: AttendanceStatus.UNEXCUSED}
    )


def test_the_minutes_pdf_has_the_party_header_and_the_attendance_figures(
    meeting, tree, client, ward1_staff
):
    client.force_login(ward1_staff)
    text = pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf"))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "ĐẢNG BỘ PHƯỜNG MỘT" in text
    assert "CHI BỘ KHU PHỐ 1" in text
    assert "Số 05-BB/CB" in text
    assert "Ngày 12 tháng 03 năm 2026" in text
    assert "BIÊN BẢN" in text
    assert "có mặt: 1/3" in text
    assert "Vắng có lý do: 1; vắng không lý do: 1" in text
    a, b, _ = tree.members.m1a
    assert f"{a.full_name} Vắng có lý do Đi công tác" in text
    assert f"{b.full_name} Vắng không lý do" in text
    assert "Hoàng Văn Theo" in text
    assert "THƯ KÝ" in text and "Lê Thị Ký" in text


def test_the_date_line_names_the_locality_of_the_ward(meeting, tree, client, ward1_staff):
    place = AdministrativeUnit.objects.filter(kind="ward").first()
    tree.ward1.administrative_unit = place
    tree.ward1.save()
    client.force_login(ward1_staff)
    text = pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf"))
    short = place.name.removeprefix("Phường ")
    assert f"{short}, ngày 12 tháng 03 năm 2026" in text


def test_the_resolution_pdf_carries_the_resolution_text(meeting, client, ward1_staff):
    client.force_login(ward1_staff)
    text = pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/nghi-quyet.pdf"))
    assert "NGHỊ QUYẾT" in text
    assert "Số 05-NQ/CB" in text
    assert "Hoàn thành việc thu đảng phí đúng hạn" in text
    assert "có mặt 1/3 đảng viên" in text


def test_an_earlier_version_of_corrected_minutes_still_prints_as_it_was(
    meeting, client, ward1_staff
):
    minutes_adopt(actor=ward1_staff, meeting=meeting)
    minutes_correct(actor=ward1_staff, meeting=meeting, reason="Sai tên", chair="Phạm Văn Đúng")
    client.force_login(ward1_staff)
    old = pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf?version=1"))
    new = pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf"))
    assert "Trần Văn Chủ" in old and "Phạm Văn Đúng" not in old
    assert "Phạm Văn Đúng" in new
    assert "Phiên bản 1" in old
    assert client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf?version=9").status_code == 404


def test_draft_minutes_say_they_are_a_draft_and_adopted_ones_say_they_were_adopted(
    meeting, client, ward1_staff
):
    client.force_login(ward1_staff)
    url = f"/sinh-hoat/{meeting.pk}/bien-ban.pdf"
    draft = pdf_text(client.get(url))
    assert "Dự thảo – biên bản chưa được thông qua" in draft
    assert "đọc lại cho chi bộ nghe và thông qua" not in draft
    assert "Dự thảo" in pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/nghi-quyet.pdf"))
    minutes_adopt(actor=ward1_staff, meeting=meeting)
    adopted = pdf_text(client.get(url))
    assert "Dự thảo" not in adopted
    assert "Biên bản đã được đọc lại cho chi bộ nghe và thông qua." in adopted
    assert "Dự thảo" not in pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/nghi-quyet.pdf"))


def test_the_minutes_record_the_resolution(meeting, client, ward1_staff):
    client.force_login(ward1_staff)
    text = pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf"))
    assert "Nghị quyết. 1. Hoàn thành việc thu đảng phí đúng hạn." in text


def test_a_party_committees_minutes_are_numbered_as_the_committees(tree, client, ward1_staff):
    meeting = take_attendance(make_meeting(tree.ward1, number="07"))
    client.force_login(ward1_staff)
    assert "Số 07-BB/ĐU" in pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf"))
    assert "Số 07-NQ/ĐU" in pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/nghi-quyet.pdf"))
