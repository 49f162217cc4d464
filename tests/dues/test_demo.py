"""The demo's dues bases agree with what each member paid."""

from datetime import date

import pytest

from chibo.demo import DemoContext
from dues import demo
from dues.selectors import expectation
from meetings.models import DuesPayment

pytestmark = pytest.mark.django_db


def test_demo_bases_make_the_expected_amount_what_was_paid(tree):
    a, b, _c = tree.members.m1a
    for m, amount in ((a, 35_000), (b, 5_000)):
        DuesPayment.objects.create(
            member=m, unit=tree.cell1a, month=date(2026, 3, 1), amount=amount
        )
    demo.build(DemoContext(scale="small"))
    assert expectation(a, date(2026, 4, 1)).amount == 35_000  # 1% of 3,500,000 (previous month)
    assert expectation(b, date(2026, 4, 1)).category == "working_age"
    demo.build(DemoContext(scale="small"))  # a second run changes nothing
    assert a.dues_bases.count() == 1


def test_the_province_payments_are_written_once(tree):
    ctx = DemoContext(scale="province")
    ctx.data["province_cells"] = [tree.cell1a]
    n = demo._province_payments(ctx)
    assert n == DuesPayment.objects.count() > 0
    assert set(DuesPayment.objects.values_list("unit_id", flat=True)) == {tree.cell1a.pk}
    demo._province_payments(ctx)
    assert DuesPayment.objects.count() == n
