"""Every download address of the app, asked the way a user asks it, at
province scale: whether the request answers with the file or sends it to
the background worker (chibo.exports), and how long the request takes (the
issue's goal: none over 2 s). The worker's own time is in bench_exports.py
and bench_pdf.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_downloads.py [--quick]

The jobs the requests queue are not run (no worker) and are deleted at the
end. `--quick` asks one format per report instead of four. A request that
answers anything but the file or a redirect to its job ends the run.
"""

from common import (  # noqa: I001 (sets Django up first)
    NO_WORKER,
    BenchClient,
    BenchFailure,
    database_label,
    drop_generated_files,
    timed,
)

import sys
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test.utils import override_settings

from chibo.models import GeneratedFile
from meetings.models import Meeting
from organizations.models import Unit
from reports.catalogue import catalogue
from reports.models import Submission
from reviews.models import ReviewCycle

LIMIT = 2.0  # seconds: the "no request takes more than 2 s"


def ask(label: str, client: BenchClient, url: str, slow: list) -> None:
    seconds, queries, response = timed(lambda: client.get(url, expect=None))
    how = "background" if response.status_code == 302 else "in request"
    if response.status_code == 302 and "/tep/" not in response["Location"]:
        raise BenchFailure(f"{url} redirected to {response['Location']}, not to a file's job")
    mark = "  SLOW" if seconds > LIMIT else ""
    print(f"{label:<62} {how:<11} {seconds * 1000:8.0f} ms {queries:5d} queries{mark}", flush=True)
    if seconds > LIMIT:
        slow.append((label, seconds))


def main():
    quick = "--quick" in sys.argv
    users = get_user_model().objects
    board, ward1 = users.get(username="board"), users.get(username="ward1")
    province = Unit.objects.get(code="DEMO-TINH")
    ward = Unit.objects.get(code="DEMO-W1")
    print(f"database: {database_label()}\n")
    old = set(GeneratedFile.objects.values_list("pk", flat=True))
    slow: list = []
    last_year = date.today().year - 1
    try:
        with override_settings(TASKS=NO_WORKER):
            b, w = BenchClient(board), BenchClient(ward1)
            b.get("/"), w.get("/")
            ask("member roster, province, CSV", b, "/dang-vien/?format=csv", slow)
            ask("member roster, province, XLSX", b, "/dang-vien/?format=xlsx", slow)
            ask("member roster, ward1, CSV", w, "/dang-vien/?format=csv", slow)
            ask("member roster, ward1, XLSX", w, "/dang-vien/?format=xlsx", slow)
            formats = (
                [("pdf", "")]
                if quick
                else [("pdf", ""), ("xlsx", ""), ("xlsx", "&by=children"), ("pdf", "&by=children")]
            )
            for report in catalogue():
                query = f"?year={last_year}" if report.yearly else "?"
                for fmt, by in formats:
                    url = f"/bao-cao/{report.name}/{province.pk}/{query}&format={fmt}{by}"
                    ask(
                        f"report {report.name}, province{by and ' by sub-unit'}, {fmt}",
                        b,
                        url,
                        slow,
                    )
                url = f"/bao-cao/{report.name}/{ward.pk}/{query}&format=pdf"
                ask(f"report {report.name}, ward1, pdf", w, url, slow)
            submission = Submission.objects.filter(versions__isnull=False).first()
            if submission is not None:
                url = f"/bao-cao/da-nop/{submission.pk}/?format=pdf"
                ask(f"submitted report {submission.pk}, pdf", b, url, slow)
            cycle = ReviewCycle.objects.annotate(n=Count("member_reviews")).order_by("-n").first()
            if cycle is not None:
                for name in ("bieu-quyet", "quyet-dinh"):
                    for fmt in ("pdf", "docx"):
                        ask(
                            f"review {name} of the largest cycle ({cycle.n} reviews), {fmt}",
                            b,
                            f"/danh-gia/{cycle.pk}/{name}.{fmt}",
                            slow,
                        )
            for fmt in ("pdf", "xlsx"):
                month = date.today().strftime("%m/%Y")
                url = f"/dang-phi/don-vi/{province.pk}/thu-nop/?month={month}&format={fmt}"
                ask(f"dues remittance, province, {fmt}", b, url, slow)
            cell = Unit.objects.filter(path__startswith=ward.path, level="cell").first()
            ask(
                "dues book of a ward1 cell, pdf",
                w,
                f"/dang-phi/don-vi/{cell.pk}/so/?format=pdf",
                slow,
            )
            meeting = Meeting.objects.filter(unit__path__startswith=ward.path).first()
            if meeting is not None:
                for doc in ("bien-ban", "nghi-quyet"):
                    ask(
                        f"meeting {doc} of a ward1 cell, pdf",
                        w,
                        f"/sinh-hoat/{meeting.pk}/{doc}.pdf",
                        slow,
                    )
    finally:
        drop_generated_files(old)
    print(f"\nafter: {database_label()}")
    if slow:
        print(f"{len(slow)} requests over {LIMIT:.0f} s:")
        for label, seconds in slow:
            print(f"  {label}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
