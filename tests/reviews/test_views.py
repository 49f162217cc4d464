"""The review pages: the access matrix for every URL, the steps through the
forms, bad input shown as a message with nothing changed, results and PDFs."""

from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reviews import services
from reviews.models import MemberReview, ReviewCycle
from reviews.rules import Level
from tests.document_text import docx_text
from tests.reviews.factories import open_cycle, propose, review_of

G, E, C = Level.GOOD, Level.EXCELLENT, Level.COMPLETED


@pytest.fixture
def cycle(tree):
    return open_cycle(tree.cell1a, 2024)


@pytest.fixture
def review(cycle, tree):
    return review_of(cycle, tree.members.m1a[0])


def urls(cycle, review):
    org = cycle.organization_reviews.get()
    return [
        reverse("reviews:cycle", args=[cycle.pk]),
        reverse("reviews:cycle_vote_pdf", args=[cycle.pk]),
        reverse("reviews:cycle_decision_pdf", args=[cycle.pk]),
        reverse("reviews:cycle_vote_docx", args=[cycle.pk]),
        reverse("reviews:cycle_decision_docx", args=[cycle.pk]),
        reverse("reviews:review", args=[review.pk]),
        reverse("reviews:review_pdf", args=[review.pk]),
        reverse("reviews:review_docx", args=[review.pk]),
        reverse("reviews:organization", args=[org.pk]),
        reverse("reviews:member_history", args=[review.member_id]),
    ]


@pytest.mark.parametrize("persona", ["board", "ward1_staff", "cell_secretary", "admin_user"])
def test_every_page_opens_for_those_who_reach_the_cell(client, request, cycle, review, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in urls(cycle, review):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["ward2_staff", "outsider"])
def test_every_page_is_a_404_outside_the_users_reach(client, request, cycle, review, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in urls(cycle, review):
        assert client.get(url).status_code == 404, url


def test_posting_outside_the_users_reach_is_a_404_and_changes_nothing(client, ward2_staff, review):
    propose(review, G)
    client.force_login(ward2_staff)
    response = client.post(reverse("reviews:review_decide", args=[review.pk]), {"level": G})
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.decided_level == ""


def test_anonymous_users_are_sent_to_log_in(client, cycle):
    response = client.get(reverse("reviews:cycle", args=[cycle.pk]))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_index_lists_only_cycles_in_scope(client, tree, ward2_staff, cycle):
    other = open_cycle(tree.cell2a, 2024)
    client.force_login(ward2_staff)
    page = client.get(reverse("reviews:index")).content.decode()
    assert reverse("reviews:cycle", args=[other.pk]) in page
    assert reverse("reviews:cycle", args=[cycle.pk]) not in page


def test_office_staff_open_a_cycle_from_the_index(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = client.post(reverse("reviews:cycle_open"), {"unit": tree.ward1.pk, "year": 2025})
    cycle = ReviewCycle.objects.get()
    assert response["Location"] == reverse("reviews:cycle", args=[cycle.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Quy định 366-QĐ/TW" in page
    assert tree.members.m1b[0].full_name in page


def test_opening_a_cycle_outside_the_users_units_is_refused(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = client.post(
        reverse("reviews:cycle_open"), {"unit": tree.cell2a.pk, "year": 2025}, follow=True
    )
    assert response.status_code == 200
    assert not ReviewCycle.objects.exists()
    assert "không được mở đợt đánh giá cho đơn vị này" in response.content.decode()


def test_a_reviewer_sees_no_forms_and_a_post_is_refused(client, board, review):
    client.force_login(board)
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "Ghi bản tự kiểm điểm" not in page
    response = client.post(
        reverse("reviews:review_self", args=[review.pk]), {"text": "Tự kiểm điểm"}, follow=True
    )
    assert "không có quyền" in response.content.decode()
    review.refresh_from_db()
    assert review.self_review == ""


def test_the_secretary_records_self_review_vote_and_proposal(client, cell_secretary, review):
    client.force_login(cell_secretary)
    client.post(reverse("reviews:review_self", args=[review.pk]), {"text": "Hoàn thành tốt"})
    client.post(
        reverse("reviews:review_vote", args=[review.pk]),
        {"present": 3, "excellent": 0, "good": 3, "completed": 0, "not_completed": 0},
    )
    client.post(reverse("reviews:review_propose", args=[review.pk]), {"level": G})
    review.refresh_from_db()
    assert (review.self_review, review.votes_good, review.proposed_level) == (
        "Hoàn thành tốt",
        3,
        G,
    )
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "Quyết định xếp loại" not in page  # the secretary does not decide


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"present": 3, "good": 4, "excellent": 0, "completed": 0, "not_completed": 0}, "vượt quá"),
        ({"present": 9, "good": 1, "excellent": 0, "completed": 0, "not_completed": 0}, "vượt quá"),
        (
            {"present": "ba", "good": 1, "excellent": 0, "completed": 0, "not_completed": 0},
            "số nguyên",
        ),
        (
            {"present": 3, "good": -1, "excellent": 0, "completed": 0, "not_completed": 0},
            "không được âm",
        ),
        ({}, "Cần nhập số phiếu"),
    ],
)
def test_a_bad_vote_is_shown_and_changes_nothing(client, cell_secretary, review, data, message):
    client.force_login(cell_secretary)
    response = client.post(reverse("reviews:review_vote", args=[review.pk]), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    review.refresh_from_db()
    assert review.vote_present is None and review.steps.count() == 0


def test_a_level_outside_the_rule_set_is_refused_by_the_form(client, cell_secretary, review):
    services.review_record_self(actor=None, review=review, text="x")
    client.force_login(cell_secretary)
    response = client.post(
        reverse("reviews:review_propose", args=[review.pk]), {"level": "hero"}, follow=True
    )
    assert "Mức xếp loại không hợp lệ" in response.content.decode()
    review.refresh_from_db()
    assert review.proposed_level == ""


def test_a_broken_proposal_is_shown_and_the_decision_needs_a_reason(client, tree, ward1_staff):
    from members.services import member_discipline

    member = tree.members.m1a[1]
    member_discipline(
        actor=None, member=member, form="reprimand", day=date(2024, 4, 1), fault="Vi phạm"
    )
    review = review_of(open_cycle(tree.cell1a, 2024), member)
    propose(review, G)
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "Trái quy định" in page and "phải xếp KHTNV" in page
    response = client.post(
        reverse("reviews:review_decide", args=[review.pk]), {"level": G}, follow=True
    )
    assert "Muốn vẫn quyết định, cần ghi lý do" in response.content.decode()
    review.refresh_from_db()
    assert review.decided_level == ""
    client.post(
        reverse("reviews:review_decide", args=[review.pk]),
        {"level": G, "override_reason": "Kỷ luật đã được xóa theo quyết định cấp trên"},
    )
    review.refresh_from_db()
    assert review.decided_level == G
    page = client.get(reverse("reviews:cycle", args=[review.cycle_id])).content.decode()
    assert "Kỷ luật đã được xóa" in page


def test_a_return_shows_its_reason_to_the_cell(client, ward1_staff, cell_secretary, review):
    propose(review, G)
    client.force_login(ward1_staff)
    client.post(reverse("reviews:review_return", args=[review.pk]), {"reason": "Thiếu nhận xét"})
    client.force_login(cell_secretary)
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "Thiếu nhận xét" in page and "Trả lại" in page


def test_results_compare_each_level_with_last_year(client, tree, ward1_staff):
    members = tree.members.m1a
    for year, levels in ((2023, [G, C, C]), (2024, [G, G, C])):
        cycle = open_cycle(tree.cell1a, year)
        for m, level in zip(members, levels, strict=True):
            r = review_of(cycle, m)
            propose(r, level)
            services.review_decide(actor=ward1_staff, review=r, level=level)
    from reviews.selectors import member_results

    line = member_results(tree.ward1, 2024)[0]
    good = next(f for f in line.figures if f.level == G)
    assert (good.count, good.last_count, good.percent, good.last_percent) == (
        2,
        1,
        "66,7%",
        "33,3%",
    )
    child = member_results(tree.ward1, 2024)[1]
    assert child.unit == tree.cell1a and child.rated == 3
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:cycle", args=[cycle.pk])).content.decode()
    assert "66,7%" in page and "33,3%" in page


def test_the_member_history_lists_every_year(client, tree, ward1_staff):
    member = tree.members.m1a[0]
    for year in (2023, 2024):
        r = review_of(open_cycle(tree.cell1a, year), member)
        propose(r, G)
        services.review_decide(actor=ward1_staff, review=r, level=G)
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:member_history", args=[member.pk])).content.decode()
    assert "2023" in page and "2024" in page and "Quy định 124-QĐ/TW" in page
    from django.template import Context, Template

    html = Template("{% load reviews_tags %}{% member_ratings member %}").render(
        Context({"member": member})
    )
    assert "Hoàn thành tốt nhiệm vụ" in html


def pdf_text(response) -> str:
    import io

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_the_pdfs_carry_the_official_header_and_the_figures(client, tree, ward1_staff):
    cycle = open_cycle(tree.cell1a, 2025)
    review = review_of(cycle, tree.members.m1a[0])
    propose(review, G, score=(25, 55))
    services.review_record_vote(actor=None, review=review, present=3, good=3)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    client.force_login(ward1_staff)
    sheet = pdf_text(client.get(reverse("reviews:review_pdf", args=[review.pk])))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in sheet and "BẢN KIỂM ĐIỂM CÁ NHÂN" in sheet
    assert review.member.full_name in sheet and "80" in sheet
    votes = pdf_text(
        client.get(reverse("reviews:cycle_vote_pdf", args=[cycle.pk]) + f"?cell={tree.cell1a.pk}")
    )
    assert "TỔNG HỢP KẾT QUẢ BIỂU QUYẾT" in votes and review.member.full_name in votes
    decision = pdf_text(client.get(reverse("reviews:cycle_decision_pdf", args=[cycle.pk])))
    assert "DANH SÁCH XẾP LOẠI" in decision and "Hoàn thành tốt nhiệm vụ" in decision
    assert "T/M" in decision and tree.ward1.name.upper() in decision.upper()


def test_the_review_documents_come_as_docx_with_the_same_text(client, tree, ward1_staff):
    cycle = open_cycle(tree.cell1a, 2025)
    review = review_of(cycle, tree.members.m1a[0])
    propose(review, G, score=(25, 55))
    services.review_record_vote(actor=None, review=review, present=3, good=3)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    client.force_login(ward1_staff)
    decision = client.get(reverse("reviews:cycle_decision_docx", args=[cycle.pk]))
    assert decision["Content-Disposition"] == (
        'attachment; filename="danh-sach-xep-loai-chi-bo-khu-pho-1-2025.docx"'
    )
    text = docx_text(decision.content)
    assert "DANH SÁCH XẾP LOẠI CHẤT LƯỢNG" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert f"1 {review.member.full_name} Chi bộ khu phố 1 Hoàn thành tốt nhiệm vụ" in text
    assert "T/M ĐẢNG ỦY" in text and "{{" not in text
    votes = docx_text(client.get(reverse("reviews:cycle_vote_docx", args=[cycle.pk])).content)
    assert (
        "TỔNG HỢP KẾT QUẢ BIỂU QUYẾT" in votes and f"{review.member.full_name} (80 điểm)" in votes
    )
    sheet = docx_text(client.get(reverse("reviews:review_docx", args=[review.pk])).content)
    assert "BẢN KIỂM ĐIỂM CÁ NHÂN" in sheet and "tổng 80/100" in sheet


def test_the_unit_page_links_to_its_cycles(client, ward1_staff, tree, cycle):
    client.force_login(ward1_staff)
    page = client.get(reverse("organizations:unit_detail", args=[tree.cell1a.pk])).content.decode()
    assert reverse("reviews:cycle", args=[cycle.pk]) in page


def test_publishing_from_the_cycle_page(client, ward1_staff, cycle, review):
    propose(review, G)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    client.force_login(ward1_staff)
    response = client.post(reverse("reviews:cycle_publish", args=[cycle.pk]), follow=True)
    assert "Đã công bố 1 kết quả" in response.content.decode()
    assert MemberReview.objects.get(pk=review.pk).published_at is not None


def test_the_cycle_page_explains_the_excellent_cap_of_the_grassroots_organization(
    client, tree, ward1_staff
):
    cycle = open_cycle(tree.ward1, 2024)
    members = tree.members.m1a + tree.members.m1b
    for m, level in zip(members, [E, E, G, G, G], strict=True):
        propose(review_of(cycle, m), level)
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:cycle", args=[cycle.pk])).content.decode()
    assert "2 HTXSNV trên 5 đảng viên xếp HTTNV trở lên; tối đa 20% là 1" in page
    assert "Trái quy định" in page


def test_the_cycle_page_reads_a_constant_number_of_queries(
    client, tree, ward1_staff, django_assert_max_num_queries
):
    cycle = open_cycle(tree.ward1, 2024)
    for m in tree.members.m1a + tree.members.m1b:
        propose(review_of(cycle, m), G)
    client.force_login(ward1_staff)
    url = reverse("reviews:cycle", args=[cycle.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        client.get(url)
    for _ in range(15):
        from tests.factories import make_member

        make_member(tree.cell1a)
    from members.models import Member

    for m in Member.objects.filter(unit=tree.cell1a, reviews__isnull=True):
        propose(services.review_add_member(actor=None, cycle=cycle, member=m), G)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def test_the_results_page_breaks_a_committee_down_by_sub_unit(client, tree, board, ward1_staff):
    cycle = open_cycle(tree.ward1, 2024)
    for m in tree.members.m1a + tree.members.m1b:
        r = review_of(cycle, m)
        propose(r, G)
        services.review_decide(actor=ward1_staff, review=r, level=G)
    client.force_login(board)
    page = client.get(reverse("reviews:results", args=[tree.province.pk]) + "?year=2024")
    text = page.content.decode()
    assert page.status_code == 200
    assert tree.ward1.name in text and "100,0%" in text and "Quy định 124-QĐ/TW" in text
    assert (
        client.get(reverse("reviews:results", args=[tree.province.pk]) + "?year=abc").status_code
        == 200
    )
    client.force_login(ward1_staff)
    assert client.get(reverse("reviews:results", args=[tree.ward2.pk])).status_code == 404


POSTS = [
    ("reviews:review_self", {"text": "x"}),
    ("reviews:review_comment", {"text": "x"}),
    ("reviews:review_residence", {"text": "x"}),
    (
        "reviews:review_vote",
        {"present": 1, "excellent": 0, "good": 1, "completed": 0, "not_completed": 0},
    ),
    ("reviews:review_propose", {"level": G}),
    ("reviews:review_decide", {"level": G}),
    ("reviews:review_return", {"reason": "x"}),
]


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_every_review_action_is_a_404_outside_reach_and_refused_to_a_reviewer(
    client, ward2_staff, board, review, name, data
):
    propose(review, G)
    before = (review.steps.count(), MemberReview.objects.filter(pk=review.pk).values().get())
    client.force_login(ward2_staff)
    assert client.post(reverse(name, args=[review.pk]), data).status_code == 404
    client.force_login(board)
    response = client.post(reverse(name, args=[review.pk]), data, follow=True)
    assert response.status_code == 200
    assert "quyền" in response.content.decode() or "cấp ủy cấp trên" in response.content.decode()
    after = (review.steps.count(), MemberReview.objects.filter(pk=review.pk).values().get())
    assert after == before


def test_the_organization_is_reviewed_through_its_page(client, tree, cell_secretary, ward1_staff):
    cycle = open_cycle(tree.cell1a, 2024)
    for m in tree.members.m1a:
        r = review_of(cycle, m)
        propose(r, G)
        services.review_decide(actor=ward1_staff, review=r, level=G)
    org = cycle.organization_reviews.get()
    client.force_login(cell_secretary)
    client.post(reverse("reviews:organization_self", args=[org.pk]), {"text": "Báo cáo kiểm điểm"})
    client.post(reverse("reviews:organization_propose", args=[org.pk]), {"level": G})
    response = client.post(
        reverse("reviews:organization_decide", args=[org.pk]), {"level": G}, follow=True
    )
    assert "cấp ủy cấp trên" in response.content.decode()
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:organization", args=[org.pk])).content.decode()
    assert "3/3 đảng viên HTTNV trở lên" in page
    client.post(reverse("reviews:organization_decide", args=[org.pk]), {"level": G})
    org.refresh_from_db()
    assert org.decided_level == G and org.decided_by == ward1_staff
    client.post(reverse("reviews:organization_return", args=[org.pk]), {"reason": "Xem lại"})
    org.refresh_from_db()
    assert org.decided_level == "" and org.returned_reason == "Xem lại"


def test_the_committee_decides_every_proposal_that_keeps_the_rules_at_once(
    client, tree, ward1_staff, cell_secretary
):
    from members.services import member_discipline

    disciplined = tree.members.m1a[2]
    member_discipline(
        actor=None, member=disciplined, form="reprimand", day=date(2024, 4, 1), fault="Vi phạm"
    )
    cycle = open_cycle(tree.cell1a, 2024)
    for m in tree.members.m1a:
        propose(review_of(cycle, m), G)
    client.force_login(cell_secretary)
    url = reverse("reviews:cycle_decide_as_proposed", args=[cycle.pk])
    assert "cấp ủy cấp trên" in client.post(url, follow=True).content.decode()
    assert not cycle.member_reviews.exclude(decided_level="").exists()
    client.force_login(ward1_staff)
    page = client.post(url, follow=True).content.decode()
    assert "Đã quyết định theo đề xuất cho 2 đảng viên" in page
    assert "1 đề xuất trái quy định" in page
    assert review_of(cycle, disciplined).decided_level == ""
    assert review_of(cycle, tree.members.m1a[0]).decided_level == G


def test_a_secretary_works_on_their_own_cell_in_the_wards_cycle_and_sees_no_other(
    client, tree, cell_secretary
):
    cycle = open_cycle(tree.ward1, 2024)
    client.force_login(cell_secretary)
    index = client.get(reverse("reviews:index")).content.decode()
    assert reverse("reviews:cycle", args=[cycle.pk]) in index
    page = client.get(reverse("reviews:cycle", args=[cycle.pk])).content.decode()
    assert tree.members.m1a[0].full_name in page
    assert tree.members.m1b[0].full_name not in page
    assert tree.cell1b.name not in page
    assert client.get(reverse("reviews:cycle_decision_pdf", args=[cycle.pk])).status_code == 404
    votes = pdf_text(client.get(reverse("reviews:cycle_vote_pdf", args=[cycle.pk])))
    assert tree.members.m1a[0].full_name in votes and tree.members.m1b[0].full_name not in votes
    other = review_of(cycle, tree.members.m1b[0])
    assert client.get(reverse("reviews:review", args=[other.pk])).status_code == 404


def test_the_ward_staff_decide_and_publish_their_members_in_the_wards_own_cycle(
    client, tree, ward1_staff
):
    # The ward committee decides its cells' members; only the ward's own
    # rating belongs to the province, so in the ward's cycle the ward staff
    # get the bulk decision and the publication of what they decided.
    cycle = open_cycle(tree.ward1, 2024)
    for m in tree.members.m1a:
        propose(review_of(cycle, m), G)
    ward = cycle.organization_reviews.get(unit=tree.ward1)
    services.organization_review_record_self(actor=None, review=ward, text="Báo cáo")
    services.organization_review_propose(actor=None, review=ward, level=G)
    services.organization_review_decide(actor=None, review=ward, level=G)
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:cycle", args=[cycle.pk])).content.decode()
    assert "Quyết định theo đề xuất" in page and "Công bố kết quả" in page
    decided = client.post(
        reverse("reviews:cycle_decide_as_proposed", args=[cycle.pk]), follow=True
    ).content.decode()
    assert "Đã quyết định theo đề xuất cho 3 đảng viên" in decided
    published = client.post(
        reverse("reviews:cycle_publish", args=[cycle.pk]), follow=True
    ).content.decode()
    assert "Đã công bố 3 kết quả" in published
    assert not cycle.member_reviews.filter(published_at__isnull=True).exclude(decided_level="")
    ward.refresh_from_db()
    assert ward.published_at is None  # the province publishes the ward's own rating


@pytest.mark.parametrize("year", ["3000", "99999999999"])
def test_a_year_far_ahead_is_refused_in_vietnamese(client, tree, ward1_staff, year):
    client.force_login(ward1_staff)
    response = client.post(
        reverse("reviews:cycle_open"), {"unit": tree.ward1.pk, "year": year}, follow=True
    )
    assert "Năm đánh giá phải từ 2018 đến" in response.content.decode()
    assert not ReviewCycle.objects.exists()


def test_text_with_a_null_character_is_refused_in_vietnamese(client, cell_secretary, review):
    client.force_login(cell_secretary)
    url = reverse("reviews:review_self", args=[review.pk])
    response = client.post(url, {"text": "Tự kiểm điểm\x00"}, follow=True)
    assert "ký tự không hợp lệ" in response.content.decode()
    review.refresh_from_db()
    assert review.self_at is None


def _ids(page: str) -> list[str]:
    import re

    return re.findall(r'\sid="([^"]+)"', page)


def test_each_field_of_the_review_pages_has_its_own_label_target(client, tree, ward1_staff):
    # ward staff see the cell's forms and the committee's on one page: a label
    # shared by two fields (id_text, id_level) sends a click to the wrong box
    cycle = open_cycle(tree.ward1, 2024)
    review = review_of(cycle, tree.members.m1a[0])
    propose(review, G)
    org = cycle.organization_reviews.get(unit=tree.cell1a)
    services.organization_review_record_self(actor=None, review=org, text="Báo cáo")
    services.organization_review_propose(actor=None, review=org, level=G)
    client.force_login(ward1_staff)
    for url in (
        reverse("reviews:review", args=[review.pk]),
        reverse("reviews:organization", args=[org.pk]),
    ):
        page = client.get(url).content.decode()
        ids = _ids(page)
        assert "Quyết định xếp loại" in page
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    import re

    target = re.search(r'<label for="([^"]+)">Nhận xét của chi bộ', page).group(1)
    assert re.search(rf'action="[^"]*nhan-xet/"[\s\S]*?id="{target}"', page)


def test_the_level_lists_and_the_outstanding_box_take_a_whole_line(client, ward1_staff, review):
    # in a narrow grid column the decision's list showed "HTNV – Hoàn th…" and
    # the outstanding box's label wrapped over five lines
    import re

    propose(review, G)
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    for field_id in ("decide_level", "comment_outstanding"):
        field = re.search(rf'<div class="(field[^"]*)">(?:(?!</div>)[\s\S])*?id="{field_id}"', page)
        assert field and "wide" in field.group(1).split(), field_id


def test_the_member_profile_shows_the_ratings_of_every_year(client, tree, ward1_staff):
    member = tree.members.m1a[0]
    for year, level in ((2023, G), (2024, C)):
        r = review_of(open_cycle(tree.cell1a, year), member)
        propose(r, level)
        services.review_decide(actor=ward1_staff, review=r, level=level)
    client.force_login(ward1_staff)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "Kết quả đánh giá, xếp loại các năm" in page
    assert "Hoàn thành tốt nhiệm vụ" in page and "Hoàn thành nhiệm vụ" in page
    assert reverse("reviews:review", args=[r.pk]) in page


def test_the_vote_summary_gives_the_names_room(client, tree, ward1_staff):
    # the name column was so narrow that "Nguyễn Văn Thử 3" took three lines;
    # a full name (family, middle and given name) now stays on one line
    cycle = open_cycle(tree.cell1a, 2025)
    for m in tree.members.m1a:
        propose(review_of(cycle, m), G, score=(25, 55))
    client.force_login(ward1_staff)
    import io

    response = client.get(reverse("reviews:cycle_vote_pdf", args=[cycle.pk]))
    pdf = PdfReader(io.BytesIO(response.content))
    lines = [" ".join(line.split()) for p in pdf.pages for line in p.extract_text().splitlines()]
    for m in tree.members.m1a:
        name = " ".join(m.full_name.split()[:3])
        assert any(name in line for line in lines), (name, "|".join(lines))


def test_the_proposal_list_starts_empty_and_waits_for_the_vote(client, cell_secretary, review):
    # a secretary pressing "Ghi đề xuất" by mistake must not propose HTXSNV,
    # the first level of the list; and before the vote the page says what to do
    client.force_login(cell_secretary)
    url = reverse("reviews:review", args=[review.pk])
    services.review_record_self(actor=None, review=review, text="x")
    page = client.get(url).content.decode()
    assert "Ghi kết quả biểu quyết trước, rồi chi bộ mới đề xuất" in page
    assert 'action="' + reverse("reviews:review_propose", args=[review.pk]) not in page
    services.review_record_vote(actor=None, review=review, present=3, good=3)
    page = client.get(url).content.decode()
    assert '<option value="" selected>' in page
    response = client.post(reverse("reviews:review_propose", args=[review.pk]), {"level": ""})
    assert "Cần chọn mức xếp loại" in client.get(url).content.decode()
    review.refresh_from_db()
    assert review.proposed_level == "" and response.status_code == 302


def test_a_change_on_the_results_is_coloured_by_whether_it_is_an_improvement(
    client, tree, ward1_staff
):
    # fewer members not completed is good news: it must not be shown in red
    members = tree.members.m1a
    for year, levels in ((2023, [G, C, Level.NOT_COMPLETED]), (2024, [G, G, C])):
        cycle = open_cycle(tree.cell1a, year)
        for m, level in zip(members, levels, strict=True):
            r = review_of(cycle, m)
            propose(r, level)
            services.review_decide(actor=ward1_staff, review=r, level=level, override_reason="x")
    client.force_login(ward1_staff)
    page = client.get(reverse("reviews:cycle", args=[cycle.pk])).content.decode()
    import re

    spans = dict(
        re.findall(r'data-label="(\w+)">[^<]*<br><small[^>]*>[^<]*<span class="([^"]+)"', page)
    )
    assert spans["HTTNV"] == "rv-better" and spans["KHTNV"] == "rv-better", spans


def test_a_secretary_refused_in_the_wards_cycle_is_told_who_decides(client, tree, cell_secretary):
    cycle = open_cycle(tree.ward1, 2024)
    propose(review_of(cycle, tree.members.m1a[0]), G)
    client.force_login(cell_secretary)
    for name in ("reviews:cycle_decide_as_proposed", "reviews:cycle_publish"):
        page = client.post(reverse(name, args=[cycle.pk]), follow=True).content.decode()
        assert "Chỉ Đảng bộ phường Một hoặc cấp ủy cấp trên" in page
    assert not cycle.member_reviews.exclude(decided_level="").exists()


def test_a_large_decision_list_is_made_in_the_background_for_the_committee_only(
    client, tree, ward1_staff, cell_secretary, settings
):
    """Past CHIBO_EXPORT_BACKGROUND_ROWS["pdf"] decided members the list goes to
    the worker; the page then offers the same PDF. The secretary, who sees one
    cell of the ward's cycle, gets neither the list nor its file; their vote
    summary (their own cell's rows) is another file than the committee's."""
    from chibo.models import GeneratedFile

    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"pdf": 1, "*": 1}
    cycle = open_cycle(tree.ward1, 2025)
    for member in tree.members.m1a + tree.members.m1b:
        review = review_of(cycle, member)
        propose(review, G)
        services.review_decide(actor=ward1_staff, review=review, level=G)
    client.force_login(ward1_staff)
    response = client.get(reverse("reviews:cycle_decision_pdf", args=[cycle.pk]))
    job = GeneratedFile.objects.get(kind="reviews.decisions")
    assert response["Location"] == reverse("generated_file", args=[job.pk])
    assert job.total == 5 and job.status == "done"
    page = client.get(response["Location"]).content.decode()
    assert reverse("reviews:cycle", args=[cycle.pk]) in page  # the way back
    download = client.get(reverse("generated_file_download", args=[job.pk]))
    decision = pdf_text(download)
    assert "DANH SÁCH XẾP LOẠI" in decision
    assert all(m.full_name in decision for m in tree.members.m1a + tree.members.m1b)
    committee_votes = client.get(reverse("reviews:cycle_vote_pdf", args=[cycle.pk]))["Location"]

    client.force_login(cell_secretary)
    assert client.get(response["Location"]).status_code == 404
    assert client.get(reverse("generated_file_download", args=[job.pk])).status_code == 404
    own_votes = client.get(reverse("reviews:cycle_vote_pdf", args=[cycle.pk]))["Location"]
    assert own_votes != committee_votes
    votes = pdf_text(
        client.get(reverse("generated_file_download", args=[own_votes.split("/")[-2]]))
    )
    assert tree.members.m1a[0].full_name in votes and tree.members.m1b[0].full_name not in votes


def test_the_results_of_a_unit_with_many_sub_units_come_a_page_at_a_time(
    client, tree, board, django_assert_max_num_queries
):
    """A province's results list its 1,000 organizations: the unit's own line
    first on every page, then 50 sub-units; the query count stays the same."""
    from reviews.views import RESULTS_PAGE
    from tests.factories import make_member, make_units_in_bulk

    cells = make_units_in_bulk(tree.ward2, RESULTS_PAGE + 9)
    for cell in cells:
        make_member(cell)
    cycle = open_cycle(tree.ward2, 2024)
    cycle.member_reviews.update(decided_level=G)
    cycle.organization_reviews.update(decided_level=G)
    client.force_login(board)
    url = reverse("reviews:results", args=[tree.ward2.pk])
    client.get(url, {"year": 2024})
    with django_assert_max_num_queries(12):
        first = client.get(url, {"year": 2024}).content.decode()
    members_table = first.split("<h2>Đảng viên</h2>", 1)[1].split("</table>", 1)[0]
    assert members_table.count("<tr>") == 1 + 1 + RESULTS_PAGE  # header, the ward, a page
    assert "<b>Đảng bộ xã Hai</b>" in members_table
    # the ward's own line counts every member (4 + 59), not a page's
    assert 'data-label="Đã xếp loại">63 <small' in members_table.split("</tr>")[1]
    assert "Trang 1/2 (1–50 trong 60)" in first
    assert "?year=2024&amp;page=2" in first
    with django_assert_max_num_queries(12):
        second = client.get(url, {"year": 2024, "page": 2}).content.decode()
    members_table = second.split("<h2>Đảng viên</h2>", 1)[1].split("</table>", 1)[0]
    assert members_table.count("<tr>") == 1 + 1 + 10
    assert "<b>Đảng bộ xã Hai</b>" in members_table and "Chi bộ số 0058" in members_table


def test_the_index_offers_to_open_cycles_only_where_the_user_edits(
    client, tree, board, ward1_staff
):
    """Office staff choose among their own ward's units; a reviewer (the
    board, a nation's reviewer reaching 17,000 units) is offered none."""
    client.force_login(ward1_staff)
    form = client.get(reverse("reviews:index")).context["form"]
    assert {pk for pk, _name in form.fields["unit"].choices} == {
        tree.ward1.pk,
        tree.cell1a.pk,
        tree.cell1b.pk,
    }
    client.force_login(board)
    assert client.get(reverse("reviews:index")).context["form"] is None
