"""Minutes and resolutions ready to sign: the names from the seats held on the
meeting date, the vote results, one date style, Liberation Serif, the
signature kept with the paragraph before it, and the same text in .docx."""

from datetime import date

import pytest

from chibo.errors import ServiceError
from meetings.models import AttendanceStatus, Meeting
from meetings.services import minutes_adopt, vote_record
from organizations.models import Position
from tests.document_text import (
    docx_body_size,
    docx_fonts,
    docx_text,
    pdf_body_size,
    pdf_fonts,
    pdf_pages,
)
from tests.factories import give_seat
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def seats(tree):
    """cell1a elects its secretary (bí thư) directly from 01/10/2025; a new
    one takes over on 01/04/2026."""
    first, deputy, later = tree.members.m1a
    for who, position, since in (
        (first, Position.SECRETARY, date(2025, 10, 1)),
        (deputy, Position.DEPUTY_SECRETARY, date(2025, 10, 1)),
        (later, Position.SECRETARY, date(2026, 4, 1)),
    ):
        give_seat(tree.cell1a, who, position, since=since)
    return tree.members.m1a


@pytest.fixture
def meeting(tree, seats):
    first, deputy, later = seats
    m = make_meeting(
        tree.cell1a,
        held_on=date(2026, 3, 12),
        number="05",
        chair=first.full_name,
        secretary=deputy.full_name,
    )
    m = take_attendance(m, {later: (AttendanceStatus.EXCUSED, "Đi công tác")})
    vote_record(
        actor=None, meeting=m, subject="Thông qua nghị quyết tháng 3", kind="ordinary", yes=1, no=1
    )
    return m


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_the_minutes_name_the_chair_and_secretary_and_print_each_vote_result(
    meeting, seats, client, ward1_staff
):
    first, deputy, _ = seats
    response = _get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/bien-ban.pdf")
    assert response["Content-Disposition"] == (
        'attachment; filename="bien-ban-chi-bo-khu-pho-1-2026-03-12.pdf"'
    )
    text = " ".join(pdf_pages(response.content))
    assert f"Chủ trì: {first.full_name}. Thư ký: {deputy.full_name}." in text
    assert "Hồi 19:30 ngày 12 tháng 03 năm 2026, tại Nhà văn hóa khu phố" in text
    # 2 official members counted (the excused one is left out): 1 for, 1 against
    assert "Thông qua nghị quyết tháng 3 1/2 (50%) 1/2 0/2 Không thông qua" in text
    assert f"THƯ KÝ {deputy.full_name} CHỦ TRÌ {first.full_name}" in text


def test_the_resolution_is_signed_for_the_cell_by_the_secretary_of_the_meeting_date(
    meeting, seats, client, ward1_staff
):
    first, _, later = seats
    text = " ".join(
        pdf_pages(_get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/nghi-quyet.pdf").content)
    )
    # the secretary on 12/03/2026, not the one who took over on 01/04/2026
    assert f"T/M CHI BỘ BÍ THƯ {first.full_name}" in text
    assert later.full_name not in text.split("T/M CHI BỘ")[1]
    assert "tán thành 1/2, không tán thành 1/2, không biểu quyết 0/2" in text
    assert "ngày 12 tháng 03 năm 2026" in text


def test_without_a_secretary_the_deputy_signs(tree, client, ward1_staff):
    _, deputy, _ = tree.members.m1a
    give_seat(tree.cell1a, deputy, Position.DEPUTY_SECRETARY)
    m = take_attendance(make_meeting(tree.cell1a))
    text = " ".join(
        pdf_pages(_get(client, ward1_staff, f"/sinh-hoat/{m.pk}/nghi-quyet.pdf").content)
    )
    assert f"T/M CHI BỘ PHÓ BÍ THƯ {deputy.full_name}" in text


def test_a_committee_signs_for_the_party_committee(tree, client, ward1_staff):
    m = take_attendance(make_meeting(tree.ward1, number="07"))
    text = " ".join(
        pdf_pages(_get(client, ward1_staff, f"/sinh-hoat/{m.pk}/nghi-quyet.pdf").content)
    )
    assert "T/M ĐẢNG ỦY" in text and "T/M CHI BỘ" not in text


def test_the_documents_embed_liberation_serif(meeting, client, ward1_staff):
    for url in ("bien-ban.pdf", "nghi-quyet.pdf"):
        fonts = pdf_fonts(_get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/{url}").content)
        assert fonts and all("Liberation-Serif" in f for f in fonts), fonts


def test_the_body_is_set_in_13_to_14_points(meeting, client, ward1_staff):
    """HD 36-HD/VPTW: body text 13–14 pt, in the PDF as in the .docx."""
    for name in ("bien-ban", "nghi-quyet"):
        pdf = _get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/{name}.pdf").content
        assert 13 <= pdf_body_size(pdf) <= 14, name
        docx = _get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/{name}.docx").content
        assert 13 <= docx_body_size(docx) <= 14, name


def test_the_docx_says_what_the_pdf_says(meeting, seats, client, ward1_staff):
    first, deputy, _ = seats
    response = _get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/bien-ban.docx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert 'filename="bien-ban-chi-bo-khu-pho-1-2026-03-12.docx"' in response["Content-Disposition"]
    text = docx_text(response.content)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Số 05-BB/CB" in text
    assert "Ngày 12 tháng 03 năm 2026" in text
    assert f"Chủ trì: {first.full_name}. Thư ký: {deputy.full_name}." in text
    assert "Thông qua nghị quyết tháng 3 1/2 (50%) 1/2 0/2 Không thông qua" in text
    assert f"THƯ KÝ {deputy.full_name} CHỦ TRÌ {first.full_name}" in text
    assert "{{" not in text and "{%" not in text
    assert docx_fonts(response.content) >= {"Times New Roman"}

    resolution = docx_text(
        _get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/nghi-quyet.docx").content
    )
    assert f"T/M CHI BỘ BÍ THƯ {first.full_name}" in resolution
    assert "tán thành 1/2, không tán thành 1/2, không biểu quyết 0/2" in resolution


def test_an_adopted_versions_docx_is_that_version(meeting, client, ward1_staff):
    minutes_adopt(actor=ward1_staff, meeting=meeting)
    text = docx_text(
        _get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/bien-ban.docx?version=1").content
    )
    assert "(Phiên bản 1, thông qua ngày" in text
    assert "Biên bản đã được đọc lại cho chi bộ nghe và thông qua." in text


def test_the_documents_of_a_meeting_out_of_reach_are_404(meeting, client, ward2_staff):
    client.force_login(ward2_staff)
    for url in ("bien-ban.pdf", "bien-ban.docx", "nghi-quyet.pdf", "nghi-quyet.docx"):
        assert client.get(f"/sinh-hoat/{meeting.pk}/{url}").status_code == 404


def test_a_chair_recorded_by_position_only_is_refused(tree):
    with pytest.raises(ServiceError) as refused:
        make_meeting(tree.cell1a, chair="Bí thư chi bộ")
    assert (
        "Xin ghi họ và tên người chủ trì (“Bí thư chi bộ” là chức vụ)" in refused.value.messages[0]
    )
    with pytest.raises(ServiceError):
        make_meeting(tree.cell1a, secretary="Chi ủy viên")


def test_an_old_meeting_recorded_by_position_prints_the_seat_holders_name(
    meeting, seats, client, ward1_staff
):
    # recorded before the form asked for names
    Meeting.objects.filter(pk=meeting.pk).update(chair="Bí thư chi bộ")
    text = " ".join(
        pdf_pages(_get(client, ward1_staff, f"/sinh-hoat/{meeting.pk}/bien-ban.pdf").content)
    )
    assert f"Chủ trì: {seats[0].full_name}." in text


def test_the_signature_block_never_stands_alone_on_a_page(tree, client, ward1_staff):
    """Minutes of growing length: wherever the page breaks, the page with the
    signatures also carries the closing paragraph before them."""
    client.force_login(ward1_staff)
    paragraph = "Chi bộ thảo luận và thống nhất các nội dung công tác của tháng. "
    seen_pages = set()
    for month, lines in enumerate(range(24, 48, 2), start=1):
        m = take_attendance(
            make_meeting(
                tree.cell1a,
                held_on=date(2025, month, 12),
                last_month_review="\n".join(paragraph * 2 for _ in range(lines)),
            )
        )
        pages = pdf_pages(client.get(f"/sinh-hoat/{m.pk}/bien-ban.pdf").content)
        seen_pages.add(len(pages))
        signed = [p for p in pages if "CHỦ TRÌ" in p]
        assert len(signed) == 1
        assert "Cuộc họp kết thúc hồi 21:15 cùng ngày." in signed[0]
        # and they do not stand alone with it: the last lines before come along
        assert "Hoàn thành việc thu đảng phí đúng hạn." in signed[0]
    assert len(seen_pages) > 1  # the lengths did cross a page break


def test_adopting_asks_for_confirmation_first_and_records_who_adopted(meeting, client, ward1_staff):
    client.force_login(ward1_staff)
    detail = client.get(f"/sinh-hoat/{meeting.pk}/").content.decode()
    # the detail page only links to the confirmation; nothing posts from it
    assert f'href="/sinh-hoat/{meeting.pk}/thong-qua/"' in detail
    page = client.get(f"/sinh-hoat/{meeting.pk}/thong-qua/").content.decode()
    assert "Sau khi thông qua, biên bản bị khóa" in page
    meeting.refresh_from_db()
    assert not meeting.is_adopted
    # a post without the confirmation (a stray tap, a replayed form) adopts nothing
    client.post(f"/sinh-hoat/{meeting.pk}/thong-qua/")
    meeting.refresh_from_db()
    assert not meeting.is_adopted
    response = client.post(f"/sinh-hoat/{meeting.pk}/thong-qua/", {"confirm": "yes"}, follow=True)
    meeting.refresh_from_db()
    assert meeting.is_adopted
    assert meeting.versions.get().adopted_by == ward1_staff
    assert f"Người ghi thông qua: {ward1_staff}" in response.content.decode()


def test_the_preparation_is_recorded_and_a_late_sending_is_flagged(tree, client, ward1_staff):
    on_time = take_attendance(
        make_meeting(
            tree.cell1a,
            held_on=date(2026, 2, 12),
            documents="Dự thảo nghị quyết tháng 2",
            documents_sent_on=date(2026, 2, 10),
        )
    )
    late = take_attendance(
        make_meeting(tree.cell1a, held_on=date(2026, 3, 12), documents_sent_on=date(2026, 3, 12))
    )
    assert not on_time.documents_sent_late and late.documents_sent_late
    client.force_login(ward1_staff)
    text = " ".join(pdf_pages(client.get(f"/sinh-hoat/{on_time.pk}/bien-ban.pdf").content))
    assert "Tài liệu gửi đảng viên ngày 10/02/2026: Dự thảo nghị quyết tháng 2" in text
    assert (
        "gửi chưa đủ 1 ngày trước cuộc họp" in client.get(f"/sinh-hoat/{late.pk}/").content.decode()
    )
    assert "gửi chưa đủ" not in client.get(f"/sinh-hoat/{on_time.pk}/").content.decode()
    tracker = client.get("/sinh-hoat/", {"unit": tree.ward1.pk, "year": 2026}).content.decode()
    assert '<dd class="summary-docs-late">1</dd>' in tracker
    assert tracker.count('title="Tài liệu gửi chưa đủ 1 ngày trước cuộc họp">!</span>') == 1


def test_documents_sent_after_the_meeting_are_refused(tree):
    with pytest.raises(ServiceError) as refused:
        make_meeting(tree.cell1a, held_on=date(2026, 3, 12), documents_sent_on=date(2026, 3, 13))
    assert (
        "Ngày gửi tài liệu (13/03/2026) phải trước ngày họp 12/03/2026." in refused.value.messages
    )
