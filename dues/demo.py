"""Dues categories and bases for the demo: every member who has paid gets a
category and base from their first paid month, consistent with what they
paid (a civil servant's 1% of salary, a retiree's 0.5% of pension, a fixed
amount otherwise), and a few reliefs, so the sheet shows expected amounts.
In bulk: the province's 100,000 members take seconds."""

from django.db.models import Max, Min

from chibo.demo import DemoContext
from dues.choices import DuesCategory as C
from dues.models import DuesBasis
from meetings.models import DuesPayment
from members.models import Member


def _bases(ctx: DemoContext, member_ids=None) -> int:
    paid = DuesPayment.objects.values("member_id").annotate(first=Min("month"), top=Max("amount"))
    if member_ids is not None:
        paid = paid.filter(member_id__in=member_ids)
    have = set(DuesBasis.objects.values_list("member_id", flat=True))
    retired = set(Member.objects.filter(is_retired=True).values_list("pk", flat=True))
    rows = []
    for p in paid.iterator(chunk_size=5000):
        if p["member_id"] in have:
            continue
        if p["member_id"] in retired:
            category, base = C.PENSION, p["top"] * 200
        elif p["top"] >= 20_000:
            category, base = C.INSURED, p["top"] * 100
        else:
            category, base = C.WORKING_AGE, None
        rows.append(
            DuesBasis(member_id=p["member_id"], category=category, base=base, valid_from=p["first"])
        )
    DuesBasis.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def build(ctx: DemoContext) -> None:
    ctx.say(f"Đảng phí: {_bases(ctx)} căn cứ đóng")


def build_province(ctx: DemoContext) -> None:
    ctx.say(f"Đảng phí (tỉnh): {_bases(ctx)} căn cứ đóng")
