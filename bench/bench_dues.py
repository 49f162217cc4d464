"""Dues benchmark: a province's remittance list (goal: under 500 ms), a
cell's monthly sheet and dues book, the arrears in a province reviewer's
reach, and the dues book files, each beside its floor measured in the same
run: the plain SQL aggregate of the same payments.

Run on PostgreSQL with the province demo loaded:

    DEBUG=1 DATABASE_URL=postgres://.../chibo_bench .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=... .venv/bin/python manage.py seed_demo --scale province
    DEBUG=1 DATABASE_URL=... .venv/bin/python bench/bench_dues.py

Prints timings, queries and the load average; a page that answers anything
but 200 stops the run with BENCHMARK FAILED.
"""

from common import BenchClient, best_of, database_label, load_average  # noqa: I001 (sets Django up first)

from datetime import date

from django.db import connection
from django.db.models import Count

from chibo.models import User
from chibo.pdf import render_typst
from dues.documents import book_context, book_typst_data
from dues.selectors import arrears_in, dues_book, dues_sheet, remittance
from meetings.models import DuesPayment
from members.selectors import members_for
from organizations.models import CELL_LEVELS, Unit
from organizations.selectors import root_units_for


def floor(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def main() -> None:
    board = User.objects.get(username="board")
    province = root_units_for(board)[0]
    latest = DuesPayment.objects.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        raise SystemExit("BENCHMARK FAILED: no dues payments: load seed_demo --scale province")
    print(f"database: {database_label()}; scope: {province.name}; month {latest:%m/%Y}")
    print(
        f"payments: {DuesPayment.objects.count():,}; in the month: "
        f"{DuesPayment.objects.filter(month=latest).count():,}"
    )
    print(load_average())
    print()
    best_of(
        "FLOOR: SQL sum of the month's payments by unit, province",
        lambda: floor(
            "SELECT p.unit_id, count(*), sum(p.amount) FROM meetings_duespayment p "
            "JOIN organizations_unit u ON u.id = p.unit_id "
            "WHERE p.month = %s AND u.path LIKE %s GROUP BY p.unit_id",
            [latest, province.path + "%"],
        ),
    )
    r = remittance(province, latest)
    best_of(
        f"remittance list of the province ({len(r['lines'])} lines, {r['total_paid_count']:,} payments)",
        lambda: remittance(province, latest),
    )
    cell = (
        Unit.objects.filter(level__in=CELL_LEVELS, path__startswith=province.path)
        .annotate(n=Count("dues_payments"))
        .order_by("-n")
        .first()
    )
    best_of(
        "FLOOR: SQL payments of one cell's year",
        lambda: floor(
            "SELECT member_id, month, amount FROM meetings_duespayment WHERE unit_id = %s "
            "AND month >= %s",
            [cell.pk, latest.replace(month=1)],
        ),
    )
    sheet = dues_sheet(cell, latest)
    best_of(
        f"monthly dues sheet of the largest cell ({len(sheet['lines'])} members)",
        lambda: dues_sheet(cell, latest),
    )
    best_of(f"dues book of the same cell, {latest.year}", lambda: dues_book(cell, latest.year))
    today = date.today()
    until = date(today.year, today.month - 1, 1) if today.month > 1 else None
    if until is not None:
        best_of(
            "FLOOR: SQL count of the year's payments per member, province",
            lambda: floor(
                "SELECT member_id, count(*) FROM meetings_duespayment "
                "WHERE month >= %s AND month <= %s GROUP BY member_id",
                [date(today.year, 1, 1), until],
            ),
            3,
        )
    best_of("arrears in the province reviewer's reach", lambda: arrears_in(members_for(board)), 3)
    print(f"  ({len(arrears_in(members_for(board))):,} members in arrears)")
    client = BenchClient(board)
    best_of("GET the sheet page", lambda: client.get(f"/dang-phi/don-vi/{cell.pk}/"))
    best_of(
        "GET the province's remittance page",
        lambda: client.get(f"/dang-phi/don-vi/{province.pk}/thu-nop/?month={latest:%m/%Y}"),
        3,
    )
    best_of(
        "FLOOR: the same book's rows as a plain-table PDF (Typst)",
        lambda: render_typst(
            "dues/pdf/book.typ", book_typst_data(book_context(cell, dues_book(cell, latest.year)))
        ),
        3,
    )
    for fmt in ("xlsx", "pdf"):
        best_of(
            f"GET the dues book as {fmt.upper()}",
            lambda fmt=fmt: client.get(
                f"/dang-phi/don-vi/{cell.pk}/so/?year={latest.year}&format={fmt}"
            ),
            3,
        )
    print()
    print(load_average())


if __name__ == "__main__":
    main()
