"""7A "trong đó tiêu biểu" and 7B's reasons ("trong đó có mặt còn hạn chế"
with its three reasons, the four "vi phạm tư cách" reasons): recorded with
the committee's decision (review pages, services, past-ratings import) and
counted on the forms, with a small year of known answers."""

import json
from datetime import date

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from chibo.imports import import_file
from chibo.spreadsheets import build_xlsx
from organizations.models import Category, Level
from reports import exports
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from reviews.models import MemberReview, OrganizationReview, ReviewStep
from reviews.rules import Level as Rating
from reviews.rules import Reason
from reviews.services import (
    organization_review_decide,
    organization_review_propose,
    organization_review_record_self,
    review_decide,
    review_open_cycle,
    review_propose,
    review_record_comment,
    review_record_self,
    review_record_vote,
    review_return,
)
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

YEAR = 2023
YEAR_PARAMS = Params(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
HTNV, KHTNV, G, E = Rating.COMPLETED, Rating.NOT_COMPLETED, Rating.GOOD, Rating.EXCELLENT


@pytest.fixture
def ward(db):
    province = make_unit("Đảng bộ tỉnh Thử", level=Level.PROVINCIAL)
    ward = make_unit("Đảng bộ phường Một", level=Level.GRASSROOTS_COMMITTEE, parent=province)
    cell = make_unit("Chi bộ khu phố 1", parent=ward, category=Category.RESIDENTIAL)
    members = [make_member(cell) for _ in range(6)]
    cycle = review_open_cycle(actor=None, unit=ward, year=YEAR)
    return {"province": province, "ward": ward, "cell": cell, "members": members, "cycle": cycle}


def proposed(w, member, level) -> MemberReview:
    review = MemberReview.objects.get(cycle=w["cycle"], member=member)
    review_record_self(actor=None, review=review, text="Tự kiểm điểm")
    review_record_comment(actor=None, review=review, text="Nhận xét")
    review_record_vote(actor=None, review=review, present=6, **{level: 6})
    return review_propose(actor=None, review=review, level=level)


def decide(w, member, level, reasons=()):
    review = proposed(w, member, level)
    return review_decide(
        actor=None, review=review, level=level, override_reason="Đã họp", reasons=reasons
    )


def org_decide(w, unit, level, exemplary):
    org = OrganizationReview.objects.get(cycle=w["cycle"], unit=unit)
    organization_review_record_self(actor=None, review=org, text="Báo cáo kiểm điểm")
    organization_review_propose(actor=None, review=org, level=level)
    return organization_review_decide(
        actor=None, review=org, level=level, override_reason="Đã họp", exemplary=exemplary
    )


@pytest.fixture
def rated(ward):
    m = ward["members"]
    decide(ward, m[0], HTNV, [Reason.NOT_DEDICATED, Reason.MEETING_FAULTS])
    decide(ward, m[1], HTNV)
    decide(ward, m[2], HTNV, [Reason.HEAD_NOT_COMPLETED])
    decide(ward, m[3], KHTNV, [Reason.DISCIPLINED, Reason.DISOBEYED])
    decide(ward, m[4], KHTNV, [Reason.RATED_NOT_COMPLETED])
    decide(ward, m[5], G)
    org_decide(ward, ward["cell"], E, exemplary=True)
    org_decide(ward, ward["ward"], E, exemplary=True)
    return ward


def test_7b_counts_the_shortcomings_and_violations_recorded_with_the_decision(rated):
    t = get_report("member_ratings").run(rated["ward"], YEAR_PARAMS)
    got = {c: value_of(t, c) for c in ("C", "C1", "C1a", "C1b", "C1c", "D", "D1", "D2", "D3", "D4")}
    assert got == {
        "C": 3, "C1": 2, "C1a": 1, "C1b": 1, "C1c": 1,
        "D": 2, "D1": 1, "D2": 0, "D3": 1, "D4": 1,
    }  # fmt: skip
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]
    lines = {r["code"]: r for r in json.loads(exports.render(t, "json"))["lines"][0]["rows"]}
    assert lines["C1"]["label"] == "Trong đó: đủ tư cách nhưng có mặt còn hạn chế"
    assert lines["C1a"]["label"].startswith("Chia ra: 1) Chưa tận tuỵ với công việc")
    assert lines["D1"]["values"]["this"] == 1
    # the 2017 set has no 7B in the public reproduction: its reason lines say so
    assert lines["C1"]["proxy"] is True


def test_the_2012_set_prints_the_same_reason_lines_unmarked(db):
    p = make_unit("Đảng bộ tỉnh Cũ", level=Level.PROVINCIAL)
    t = get_report("member_ratings").run(p, Params(start=date(2016, 1, 1), end=date(2016, 12, 31)))
    assert t.form["set"] == "2012"
    s = t.sections[0]
    assert {"C1", "C1a", "C1b", "C1c", "D1", "D2", "D3", "D4"} <= set(s.codes)
    d = s.codes.index("D")
    assert s.rows[d][1] == "D. Vi phạm tư cách hoặc không hoàn thành nhiệm vụ"
    assert s.rows[d + 1][1].startswith("Chia ra: 1) Bị thi hành kỷ luật")
    assert "proxy" not in s.flags[s.codes.index("C1")]
    # 7A of 2012: "a) Trong sạch vững mạnh (trong đó tiêu biểu)"
    a = get_report("organization_ratings").run(
        p, Params(start=date(2016, 1, 1), end=date(2016, 12, 31))
    )
    s = a.sections[0]
    i = s.codes.index("A1a1")
    assert s.rows[i - 1][1] == "a) Trong sạch vững mạnh" and s.rows[i][1] == "Trong đó: tiêu biểu"


def test_7a_counts_the_exemplary_among_the_top_level(rated):
    t = get_report("organization_ratings").run(rated["province"], YEAR_PARAMS)
    assert value_of(t, "A1a") == 1 and value_of(t, "A1a1") == 1
    assert value_of(t, "B1a") == 1 and value_of(t, "B1a1") == 1
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]
    s = t.sections[0]
    assert s.rows[s.codes.index("A1a1")][1] == "Trong đó: tiêu biểu"
    lines = {r["code"]: r for r in json.loads(exports.render(t, "json"))["lines"][0]["rows"]}
    assert lines["A1a1"]["values"]["this"] == 1 and lines["B1a1"]["values"]["this"] == 1


def test_a_reason_of_another_level_or_a_mark_on_the_wrong_subject_is_refused(ward):
    m = ward["members"]
    review = proposed(ward, m[0], G)
    with pytest.raises(ServiceError, match="không dùng cho mức HTTNV"):
        review_decide(actor=None, review=review, level=G, reasons=[Reason.NOT_DEDICATED])
    review = proposed(ward, m[1], HTNV)
    with pytest.raises(ServiceError, match="không dùng cho mức HTNV"):
        review_decide(
            actor=None, review=review, level=HTNV, override_reason="x", reasons=[Reason.DISCIPLINED]
        )
    org = OrganizationReview.objects.get(cycle=ward["cycle"], unit=ward["cell"])
    organization_review_record_self(actor=None, review=org, text="Báo cáo")
    organization_review_propose(actor=None, review=org, level=G)
    with pytest.raises(ServiceError, match="mới được ghi là tiêu biểu"):
        organization_review_decide(
            actor=None, review=org, level=G, override_reason="x", exemplary=True
        )
    assert not MemberReview.objects.exclude(decided_level="").exists()
    assert not OrganizationReview.objects.exclude(decided_level="").exists()


def test_a_returned_decision_drops_its_reasons_but_the_steps_keep_them(rated):
    review = MemberReview.objects.get(member=rated["members"][0], year=YEAR)
    review_return(actor=None, review=review, reason="Xem lại")
    review.refresh_from_db()
    assert review.reasons == []
    decided = review.steps.get(kind=ReviewStep.Kind.DECIDE)
    assert decided.data["reasons"] == [Reason.NOT_DEDICATED, Reason.MEETING_FAULTS]
    returned = review.steps.get(kind=ReviewStep.Kind.RETURN)
    assert returned.data["reasons"] == [Reason.NOT_DEDICATED, Reason.MEETING_FAULTS]
    t = get_report("member_ratings").run(rated["ward"], YEAR_PARAMS)
    assert (value_of(t, "C"), value_of(t, "C1"), value_of(t, "C1a")) == (2, 1, 0)


def test_the_committee_ticks_the_reasons_and_the_exemplary_mark_on_the_review_pages(
    client, ward, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    review = proposed(ward, ward["members"][0], HTNV)
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "Chưa tận tuỵ với công việc" in page
    response = client.post(
        reverse("reviews:review_decide", args=[review.pk]),
        {
            "level": HTNV,
            "override_reason": "Đã họp",
            "reasons": [Reason.NOT_DEDICATED, Reason.HEAD_NOT_COMPLETED],
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decided_level == HTNV
    assert review.reasons == [Reason.NOT_DEDICATED, Reason.HEAD_NOT_COMPLETED]
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "rv-reasons" in page

    org = OrganizationReview.objects.get(cycle=ward["cycle"], unit=ward["cell"])
    organization_review_record_self(actor=None, review=org, text="Báo cáo")
    organization_review_propose(actor=None, review=org, level=E)
    response = client.post(
        reverse("reviews:organization_decide", args=[org.pk]),
        {"level": E, "override_reason": "Đã họp", "exemplary": "on"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.decided_level == E and org.exemplary


HEADERS = [
    "Năm",
    "Đơn vị",
    "Họ và tên",
    "Số thẻ đảng viên",
    "Mức xếp loại",
    "Cấp quyết định",
    "Tiêu biểu",
    "Lý do (biểu 7B)",
]


def test_the_past_ratings_import_carries_the_marks(db):
    province = make_unit("Đảng bộ tỉnh Nhập", level=Level.PROVINCIAL)
    ward = make_unit("Đảng bộ phường Nhập", level=Level.GRASSROOTS_COMMITTEE, parent=province)
    cell = make_unit("Chi bộ khu phố Nhập", parent=ward, category=Category.RESIDENTIAL)
    a, b = make_member(cell), make_member(cell)
    rows = [
        [str(YEAR), cell.name, a.full_name, a.card_number, "HTNV", ward.name, "", "1; 3"],
        [str(YEAR), cell.name, b.full_name, b.card_number, "KHTNV", ward.name, "", "bị thi hành"],
        [str(YEAR), cell.name, "", "", "HTXSNV", ward.name, "x", ""],
    ]
    batch = import_file("ratings", actor=None, file_name="xl.xlsx", data=build_xlsx(HEADERS, rows))
    assert not batch.errors, batch.errors
    assert MemberReview.objects.get(member=a).reasons == [
        Reason.NOT_DEDICATED,
        Reason.HEAD_NOT_COMPLETED,
    ]
    assert MemberReview.objects.get(member=b).reasons == [Reason.DISCIPLINED]
    assert OrganizationReview.objects.get(unit=cell, year=YEAR).exemplary
    t = get_report("member_ratings").run(ward, YEAR_PARAMS)
    assert (value_of(t, "C1"), value_of(t, "C1a"), value_of(t, "C1c"), value_of(t, "D1")) == (
        1,
        1,
        1,
        1,
    )
    again = import_file("ratings", actor=None, file_name="xl.xlsx", data=build_xlsx(HEADERS, rows))
    assert not again.errors and again.unchanged_count == 3


def test_a_reason_the_import_does_not_know_is_a_row_error(db):
    province = make_unit("Đảng bộ tỉnh Lỗi", level=Level.PROVINCIAL)
    ward = make_unit("Đảng bộ phường Lỗi", level=Level.GRASSROOTS_COMMITTEE, parent=province)
    cell = make_unit("Chi bộ khu phố Lỗi", parent=ward, category=Category.RESIDENTIAL)
    a = make_member(cell)
    rows = [[str(YEAR), cell.name, a.full_name, a.card_number, "HTTNV", ward.name, "", "1"]]
    batch = import_file("ratings", actor=None, file_name="xl.xlsx", data=build_xlsx(HEADERS, rows))
    assert batch.errors and batch.errors[0]["column"] == "Lý do (biểu 7B)"
    assert not MemberReview.objects.exclude(decided_level="").exists()
