"""Every report of the catalogue at province scale, for the whole province and
broken down by its ~1,000 direct sub-units, then the page, the XLSX and the
PDF through the view; each with its time and query count.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench_reports \
        .venv/bin/python manage.py seed_demo --scale province
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench_reports \
        .venv/bin/python bench/bench_reports.py
"""

from common import BenchClient, best_of, database_label  # noqa: I001

from datetime import date

from django.contrib.auth import get_user_model

from members.models import Member
from organizations.models import Unit
from reports.catalogue import Params, catalogue


def main():
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: without statistics the
        # planner picks nested loops over 100,000 rows, and without the
        # visibility map an index-only scan (the absences' partial index)
        # still reads the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    province = Unit.objects.get(code="DEMO-TINH")
    ward = Unit.objects.get(code="DEMO-W1")
    print(
        f"database: {database_label()}; units {Unit.objects.count()}, "
        f"members {Member.objects.count()}"
    )
    today = date.today()
    last_year = today.year - 1
    for report in catalogue():
        if report.yearly:  # the annual review: last year's, the page's default
            params = Params(start=date(last_year, 1, 1), end=date(last_year, 12, 31))
        elif report.periodic:
            params = Params(start=date(today.year, 1, 1), end=today)
        else:
            params = Params(day=today)
        for unit in (province, ward):
            best_of(f"{report.name} – {unit.code}", lambda r=report, u=unit, p=params: r.run(u, p))
        params.by_children = True
        best_of(
            f"{report.name} – {province.code} by sub-unit",
            lambda r=report, p=params: r.run(province, p),
        )
    client = BenchClient(get_user_model().objects.get(username="board"))
    base = f"/bao-cao/structure/{province.pk}/"
    # the province's files read its 5,779 units: the request queues them
    # (or finds them made); a ward's are made in the request
    best_of(
        "GET structure XLSX (province): the request",
        lambda: client.get(base + "?format=xlsx", expect=302),
        runs=1,
    )
    best_of(
        "GET structure XLSX (ward1)",
        lambda: client.get(f"/bao-cao/structure/{ward.pk}/?format=xlsx"),
        runs=3,
    )
    # ~1,000 rows: made by the worker (bench_pdf.py and bench_exports.py time
    # that); the request queues it or finds it made
    best_of(
        "GET structure PDF by sub-unit (province): the request",
        lambda: client.get(base + "?format=pdf&by=children", expect=302),
        runs=1,
    )
    for report in catalogue():
        page = f"/bao-cao/{report.name}/{province.pk}/" + (
            f"?year={last_year}" if report.yearly else "?"
        )
        best_of(f"GET {report.name} page (province)", lambda u=page: client.get(u), runs=3)
        best_of(
            f"GET {report.name} page by sub-unit (province)",
            lambda u=page: client.get(u + "&by=children"),
            runs=3,
        )
        best_of(
            f"GET {report.name} PDF (province)",
            lambda u=page: client.get(u + "&format=pdf", expect=None),
            runs=3,
        )


if __name__ == "__main__":
    main()
