"""Submit-and-review carries the forms: each ward submits its Biểu 1 for the
year, frozen; the province's board sees every ward's status and the total of
the submitted forms beside its own live figures (transfers between two of
its wards add up in the wards' forms but are none of the province's)."""

from datetime import date

import pytest
from django.urls import reverse

from organizations.models import Role
from reports.models import SubmissionStatus
from reports.services import submission_review, submission_submit
from tests.factories import UserFactory, grant
from tests.reports.test_forms_movement import world  # noqa: F401

pytestmark = pytest.mark.django_db


def submit(unit):
    return submission_submit(
        actor=None,
        unit=unit,
        report="member_movement",
        period="year",
        period_start=date(2024, 1, 1),
    )


def test_the_board_sees_the_submitted_forms_added_up_beside_the_live_figures(client, world):  # noqa: F811
    w_version = submit(world["w"])
    assert w_version.table["form"]["number"] == "Biểu số 1-BTCTW"
    submit(world["x"])
    board = UserFactory()
    grant(board, world["p"], Role.Kind.REVIEWER)
    client.force_login(board)
    page = client.get(
        reverse("reports:submissions", args=[world["p"].pk]),
        {"report": "member_movement", "period": "year:2024-01-01"},
    )
    html = page.content.decode()
    assert "Tổng hợp biểu đã nộp và số liệu hiện tại" in html
    rows = {r["code"]: r for r in page.context["form_totals"]["rows"]}
    assert page.context["form_totals"]["units"] == 2
    # W: 1 in from X, 1 out to X; X: the other side of both
    assert rows["B2b"]["submitted"] == 2 and rows["B2b"]["live"] == 0 and rows["B2b"]["differs"]
    # the list at the end adds up: W 10 + X 4 = the province's 14
    assert rows["D"]["submitted"] == 10 + 4 == rows["D"]["live"] and not rows["D"]["differs"]
    assert not rows["B1"]["differs"]
    states = {r.unit.name: r.state for r in page.context["rows"]}
    assert states == {
        "Đảng bộ phường W": SubmissionStatus.SUBMITTED,
        "Đảng bộ phường X": SubmissionStatus.SUBMITTED,
    }


def test_a_returned_form_is_left_out_of_the_total(client, world):  # noqa: F811
    version = submit(world["w"])
    submit(world["x"])
    submission_review(actor=None, submission=version.submission, action="return", comment="Sửa B2b")
    board = UserFactory()
    grant(board, world["p"], Role.Kind.REVIEWER)
    client.force_login(board)
    page = client.get(
        reverse("reports:submissions", args=[world["p"].pk]),
        {"report": "member_movement", "period": "year:2024-01-01"},
    )
    assert page.context["form_totals"]["units"] == 1
