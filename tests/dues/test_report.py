"""The dues report of the catalogue, sent upward through submit-and-review."""

from datetime import date

import pytest

from dues.services import Entry, dues_collect
from reports.models import PeriodKind, SubmissionStatus
from reports.services import submission_review, submission_submit

pytestmark = pytest.mark.django_db


def test_a_committees_dues_report_is_submitted_frozen_and_approved(tree, ward1_staff, board):
    a, b, _c = tree.members.m1a
    dues_collect(
        actor=None,
        unit=tree.cell1a,
        month=date(2026, 10, 1),
        entries={a.pk: Entry(30_000), b.pk: Entry(20_000, channel="portal")},
    )
    version = submission_submit(
        actor=ward1_staff,
        unit=tree.ward1,
        report="dues",
        period=PeriodKind.MONTH,
        period_start=date(2026, 10, 1),
        today=date(2026, 11, 21),
    )
    rows = version.table["sections"][0]["rows"]
    # October: 2 payments, 50,000 đ of which 20,000 on the portal; the residential
    # cell keeps 50% and the ward (no locality linked: "other" grassroots) 70% of the rest
    assert rows == [["10/2026", 2, 50_000, 20_000, 0, 42_500, 7_500]]
    dues_collect(actor=None, unit=tree.cell1a, month=date(2026, 10, 1), entries={a.pk: Entry(None)})
    version.refresh_from_db()
    assert version.table["sections"][0]["rows"][0][2] == 50_000  # frozen as submitted
    submission_review(actor=board, submission=version.submission, action="approve")
    version.submission.refresh_from_db()
    assert version.submission.status == SubmissionStatus.APPROVED
