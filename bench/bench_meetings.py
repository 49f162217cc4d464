"""Meetings benchmark: the tracker over a province-scale demo, and one minutes PDF.

Run on PostgreSQL with the province demo loaded:

    DEBUG=1 DATABASE_URL=postgres://.../chibo_bench_meetings .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=... .venv/bin/python manage.py seed_demo --scale province
    DEBUG=1 DATABASE_URL=... .venv/bin/python bench/bench_meetings.py

Prints timings and query counts; asserts nothing.
"""

from common import BenchClient, best_of, database_label  # noqa: I001 (sets Django up first)

from django.db import connection
from django.utils import timezone

from chibo.models import User
from documents.render import render
from meetings.documents import document_context
from meetings.models import Attendance, Meeting
from meetings.selectors import (
    home_warnings,
    minutes_content,
    tracker_cells,
    tracker_rows,
    tracker_summary,
)
from organizations.selectors import root_units_for


def page(label: str, client: BenchClient, url: str) -> None:
    """Time a page; count its queries with a wrapper, since Django empties the
    query log when a request starts (so CaptureQueriesContext miscounts)."""
    calls = []

    def counter(execute, sql, params, many, context):
        calls.append(sql)
        return execute(sql, params, many, context)

    best_of(f"{label} (time)", lambda: client.get(url))
    with connection.execute_wrapper(counter):
        client.get(url)
    print(f"{'':<60} {len(calls)} queries per request")


def main() -> None:
    board = User.objects.get(username="board")
    root = root_units_for(board)[0]
    year = timezone.localdate().year
    print(f"database: {database_label()}; scope: {root.name}; year {year}")
    print(f"meetings: {Meeting.objects.count():,}; attendance rows: {Attendance.objects.count():,}")
    cells = tracker_cells(board, root, year)
    print(f"cells in scope: {cells.count():,}\n")
    best_of("tracker summary, every cell in scope", lambda: tracker_summary(cells, year))
    best_of("tracker grid, one page (100 cells)", lambda: tracker_rows(list(cells[:100]), year))
    best_of("tracker grid, every cell in scope", lambda: tracker_rows(list(cells.all()), year), 3)
    best_of("home page warnings (province reviewer)", lambda: home_warnings(board))

    client = BenchClient(board)
    page("GET /sinh-hoat/ (tracker page, rendered)", client, "/sinh-hoat/")
    page("GET / (home page, every app's panels)", client, "/")

    meeting = (
        Meeting.objects.filter(expected_count__gte=25).order_by("pk").first()
        or Meeting.objects.order_by("pk").first()
    )
    best_of("minutes content of one meeting", lambda: minutes_content(meeting))
    context = document_context(meeting, "BB")
    pdf = render("minutes", context, "pdf")  # warms the fonts up
    best_of(
        f"render one minutes PDF ({meeting.expected_count} members)",
        lambda: render("minutes", context, "pdf"),
    )
    docx = render("minutes", context, "docx", unit=meeting.unit)
    best_of(
        f"render the same minutes as .docx ({meeting.expected_count} members)",
        lambda: render("minutes", context, "docx", unit=meeting.unit),
    )
    print(f"DOCX size: {len(docx) / 1024:.0f} KiB")
    print(f"PDF size: {len(pdf) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
