"""A year before the first rule set chibo keeps (132-QĐ/TW, 2018) is a
year an office may still ask about: its ratings report, summary or broken
down by sub-unit, answers without a cap line instead of failing."""

from datetime import date

import pytest

from reports.catalogue import Params, get_report

pytestmark = pytest.mark.django_db


def test_the_ratings_of_2017_broken_down_by_sub_unit_have_no_cap_line(tree):
    report = get_report("ratings")
    for by_children in (False, True):
        table = report.run(
            tree.ward1,
            Params(start=date(2017, 1, 1), end=date(2017, 12, 31), by_children=by_children),
        )
        assert table.year == 2017
    section = table.sections[0]
    assert [r[0] for r in section.rows] == ["Chi bộ cơ quan phường", "Chi bộ khu phố 1"]
    assert section.chart is None or "target" not in section.chart
