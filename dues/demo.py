"""Dues categories and bases for the demo: every member who has paid gets a
category and base from their first paid month, consistent with what they
paid (a civil servant's 1% of salary, a retiree's 0.5% of pension, a fixed
amount otherwise), and a few reliefs, so the sheet shows expected amounts.
In bulk: the province's 100,000 members take seconds."""

from django.db import connection
from django.db.models import Max, Min

from chibo.bulk import copy_insert, indexes_deferred, instance_row
from chibo.demo import DemoContext
from dues.choices import DuesCategory as C
from dues.models import DuesBasis
from meetings.models import DuesPayment
from members.models import Member


def _bases(ctx: DemoContext, member_ids=None, *, copy: bool = False) -> int:
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
    if copy:
        return copy_insert(DuesBasis, map(instance_row, rows))
    DuesBasis.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def build(ctx: DemoContext) -> None:
    ctx.say(f"Đảng phí: {_bases(ctx)} căn cứ đóng")


AMOUNTS = (5_000, 10_000, 20_000, 35_000, 50_000)


def _province_payments(ctx: DemoContext, cells=None) -> int:
    """Twelve months of dues for the province's members, in their cell (the
    province demo places them there for the whole year): a fixed amount per
    member, 2% of the months missed, one member in 33 stopping for the last
    three. One INSERT … SELECT on PostgreSQL; rows in bulk elsewhere."""
    from meetings.demo import _months

    months = _months(ctx.today)
    cells = [c.pk for c in (cells or ctx.data["province_cells"])]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO meetings_duespayment
                    (member_id, unit_id, month, amount, channel, voluntary, reference, recorded_at)
                SELECT m.id, m.unit_id, mo::date,
                       (ARRAY[5000, 10000, 20000, 35000, 50000])[m.id %% 5 + 1],
                       CASE WHEN m.id %% 4 = 0 THEN 'portal' ELSE 'cash' END, false, '', now()
                FROM members_member m
                CROSS JOIN unnest(%s::date[]) WITH ORDINALITY AS t(mo, k)
                WHERE m.unit_id = ANY(%s) AND m.status IN ('official', 'probationary')
                  AND (m.id * t.k) %% 50 <> 7
                  AND NOT (m.id %% 33 = 0 AND t.k > 9)
                ON CONFLICT DO NOTHING
                """,
                [months, cells],
            )
            return cursor.rowcount
    rows = [
        DuesPayment(member_id=mid, unit_id=uid, month=mo, amount=AMOUNTS[mid % 5])
        for mid, uid in Member.objects.filter(
            unit_id__in=cells, status__in=("official", "probationary")
        ).values_list("pk", "unit_id")
        for k, mo in enumerate(months, 1)
        if (mid * k) % 50 != 7 and not (mid % 33 == 0 and k > 9)
    ]
    DuesPayment.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def build_province(ctx: DemoContext) -> None:
    n = _province_payments(ctx)
    ctx.say(f"Đảng phí (tỉnh): {n} lượt đóng, {_bases(ctx)} căn cứ đóng")


def build_million(ctx: DemoContext) -> int:
    """The province's dues (`build_province`) for every cell of the national
    scale: one INSERT … SELECT into a table whose eight secondary indexes and
    foreign keys are made once at the end (`indexes_deferred`), and the bases
    by one INSERT … SELECT from the payments. Returns how many payments."""
    with indexes_deferred(DuesPayment):
        with ctx.timed("dues: lượt đóng (INSERT … SELECT)") as tally:
            n = tally["rows"] = _province_payments(ctx, ctx.data["million_cells"])
        ctx.timed_start("dues: chỉ mục và khóa ngoại")
    ctx.timed_stop(n)
    with indexes_deferred(DuesBasis), ctx.timed("dues: căn cứ đóng (INSERT … SELECT)") as tally:
        bases = tally["rows"] = _bases_sql(ctx.data["million_cells"])
    ctx.say(f"Đảng phí (toàn quốc): {n} lượt đóng, {bases} căn cứ đóng")
    return n


def _bases_sql(cells) -> int:
    """`_bases` for the members of `cells` who have none, in SQL: the
    category and base from the highest amount they paid, from their first
    paid month."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO dues_duesbasis
                (member_id, category, base, note, valid_from, valid_to, created_at)
            SELECT p.member_id,
                   CASE WHEN m.is_retired THEN %(pension)s
                        WHEN p.top >= 20000 THEN %(insured)s ELSE %(working)s END,
                   CASE WHEN m.is_retired THEN p.top * 200
                        WHEN p.top >= 20000 THEN p.top * 100 END,
                   '', p.first, NULL, now()
            FROM (
                SELECT member_id, min(month) AS first, max(amount) AS top
                FROM meetings_duespayment WHERE unit_id = ANY(%(cells)s) GROUP BY member_id
            ) p
            JOIN members_member m ON m.id = p.member_id
            WHERE NOT EXISTS (SELECT 1 FROM dues_duesbasis b WHERE b.member_id = p.member_id)
            """,
            {
                "cells": [c.pk for c in cells],
                "pension": C.PENSION,
                "insured": C.INSURED,
                "working": C.WORKING_AGE,
            },
        )
        return cursor.rowcount
