"""Importing past years' ratings: written into the year's review cycle as the
committee's decision, the ratings report then gives the same answers as the
same ratings entered through the review services (the pages' path)."""

from datetime import date

import pytest

from chibo.imports import import_check, import_confirm, import_file, import_start
from chibo.models import ImportBatch
from chibo.spreadsheets import build_xlsx
from organizations.models import Category, Level
from reports.catalogue import Params, get_report
from reviews.models import MemberReview, OrganizationReview, ReviewCycle, ReviewStep
from reviews.rules import Level as Rating
from reviews.services import (
    organization_review_decide,
    organization_review_propose,
    organization_review_record_self,
    review_decide,
    review_open_cycle,
    review_propose,
    review_publish,
    review_record_comment,
    review_record_self,
    review_record_vote,
)
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

YEAR = 2023
HEADERS = ["Năm", "Đơn vị", "Họ và tên", "Số thẻ đảng viên", "Mức xếp loại", "Cấp quyết định"]
LEVELS = ["HTTNV", "HTXSNV", "HTNV", "Hoàn thành tốt nhiệm vụ", "KHTNV"]
CELL_LEVEL = "HTTNV"


def ward_of(name):
    province = make_unit(f"Đảng bộ tỉnh {name}", level=Level.PROVINCIAL)
    ward = make_unit(f"Đảng bộ phường {name}", level=Level.GRASSROOTS_COMMITTEE, parent=province)
    cell = make_unit(f"Chi bộ khu phố {name}", parent=ward, category=Category.RESIDENTIAL)
    members = [make_member(cell) for _ in LEVELS]
    return ward, cell, members


def sheet(ward, cell, members, levels=LEVELS):
    rows = [
        [str(YEAR), cell.name, m.full_name, m.card_number, level, ward.name]
        for m, level in zip(members, levels, strict=True)
    ]
    rows.append([str(YEAR), cell.name, "", "", CELL_LEVEL, ward.name])
    return build_xlsx(HEADERS, rows)


def send(data, *, actor=None, dry_run=False):
    return import_file("ratings", actor=actor, file_name="xl.xlsx", data=data, dry_run=dry_run)


def by_the_pages(ward, cell, members):
    """The same year through the review services, step by step."""
    cycle = review_open_cycle(actor=None, unit=ward, year=YEAR)
    short = {"HTXSNV": Rating.EXCELLENT, "HTTNV": Rating.GOOD, "HTNV": Rating.COMPLETED}
    short |= {"KHTNV": Rating.NOT_COMPLETED, "Hoàn thành tốt nhiệm vụ": Rating.GOOD}
    for member, text in zip(members, LEVELS, strict=True):
        review = MemberReview.objects.get(cycle=cycle, member=member)
        level = short[text]
        review_record_self(actor=None, review=review, text="Tự kiểm điểm")
        review_record_comment(actor=None, review=review, text="Nhận xét")
        review_record_vote(actor=None, review=review, present=4, **{level: 4})
        review_propose(actor=None, review=review, level=level)
        review_decide(actor=None, review=review, level=level, override_reason="Đã họp")
    org = OrganizationReview.objects.get(cycle=cycle, unit=cell)
    organization_review_record_self(actor=None, review=org, text="Báo cáo kiểm điểm")
    organization_review_propose(actor=None, review=org, level=Rating.GOOD)
    organization_review_decide(actor=None, review=org, level=Rating.GOOD, override_reason="x")
    review_publish(actor=None, cycle=cycle)


def report(unit, year=YEAR, by_children=False):
    result = get_report("ratings").run(
        unit, Params(start=date(year, 1, 1), end=date(year, 12, 31), by_children=by_children)
    )
    return [(s.rows, s.totals) for s in result.sections]


def test_imported_ratings_give_the_same_report_as_ratings_entered_through_the_pages(db):
    imported_ward, imported_cell, imported_members = ward_of("Một")
    typed_ward, typed_cell, typed_members = ward_of("Hai")
    batch = send(sheet(imported_ward, imported_cell, imported_members))
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.new_count == 6
    by_the_pages(typed_ward, typed_cell, typed_members)
    assert report(imported_ward) == report(typed_ward)
    assert (
        report(imported_ward.parent, by_children=True)[0][1]
        == report(typed_ward.parent, by_children=True)[0][1]
    )
    members = report(imported_ward)[0]
    assert members[1][1] == 5  # five members rated
    review = MemberReview.objects.get(member=imported_members[1], year=YEAR)
    assert review.decided_level == Rating.EXCELLENT and review.published_at is not None
    step = ReviewStep.objects.get(member_review=review, kind=ReviewStep.Kind.DECIDE)
    assert step.data["decided_by"] == "Đảng bộ phường Một"


def test_the_same_file_twice_changes_nothing(db):
    ward, cell, members = ward_of("Một")
    send(sheet(ward, cell, members))
    steps = ReviewStep.objects.count()
    again = send(sheet(ward, cell, members))
    assert again.status == ImportBatch.Status.DONE
    assert again.unchanged_count == 6 and again.new_count == 0
    assert ReviewStep.objects.count() == steps and ReviewCycle.objects.count() == 1


def test_a_different_level_for_a_decided_rating_is_refused(db):
    ward, cell, members = ward_of("Một")
    send(sheet(ward, cell, members))
    levels = list(LEVELS)
    levels[0] = "HTNV"
    batch = send(sheet(ward, cell, members, levels))
    assert batch.status != ImportBatch.Status.DONE
    assert "đã được xếp loại HTTNV" in batch.errors[0]["message"]
    assert MemberReview.objects.get(member=members[0]).decided_level == Rating.GOOD


def test_bad_rows_name_row_and_column_and_nothing_is_written(db):
    ward, cell, members = ward_of("Một")
    stranger = make_member(make_unit("Chi bộ khác", parent=ward, category=Category.RESIDENTIAL))
    rows = [
        [str(YEAR), "khu phố Một", members[0].full_name, "", "HTTNV", ""],
        [str(YEAR), cell.name, "Người Lạ", "", "HTTNV", ""],
        [str(YEAR), cell.name, members[1].full_name, "", "Giỏi", ""],
        ["2010", cell.name, members[2].full_name, "", "HTTNV", ""],
        [str(YEAR), cell.name, "", stranger.card_number, "HTTNV", ""],
        [str(YEAR), cell.name, members[3].full_name, "", "HTTNV", ""],
    ]
    batch = send(build_xlsx(HEADERS, rows))
    found = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert "Có phải: “Chi bộ khu phố Một”?" in found[(2, "Đơn vị")]
    assert "không có trong danh sách đảng viên" in found[(3, "Họ và tên")]
    assert "Không hiểu mức xếp loại “Giỏi”" in found[(4, "Mức xếp loại")]
    assert (5, "Năm") in found
    assert "không có trong danh sách đảng viên" in found[(6, "Số thẻ đảng viên")]
    assert not MemberReview.objects.exclude(decided_level="").exists()
    assert not ReviewCycle.objects.exists()


def test_a_member_who_was_not_in_the_cell_at_year_end_is_refused(db):
    ward, cell, members = ward_of("Một")
    late = make_member(cell, since=date(2024, 3, 1))
    rows = [[str(YEAR), cell.name, late.full_name, "", "HTTNV", ""]]
    batch = send(build_xlsx(HEADERS, rows))
    assert batch.errors and "31/12/2023" in batch.errors[0]["message"]


def test_ward_staff_cannot_rate_their_own_ward(tree, ward1_staff):
    rows = [["2024", tree.ward1.name, "", "", "HTTNV", ""]]
    batch = send(build_xlsx(HEADERS, rows), actor=ward1_staff)
    assert batch.errors and "cấp ủy cấp trên" in batch.errors[0]["message"]
    ok = send(
        build_xlsx(HEADERS, [["2024", tree.cell1a.name, "", "", "HTTNV", ""]]), actor=ward1_staff
    )
    assert ok.status == ImportBatch.Status.DONE, ok.errors


def test_confirming_twice_applies_once(db):
    ward, cell, members = ward_of("Một")
    batch = import_check(
        import_start("ratings", actor=None, file_name="xl.xlsx", data=sheet(ward, cell, members))
    )
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    assert import_confirm(batch) and not import_confirm(batch)
    assert MemberReview.objects.exclude(decided_level="").count() == 5
