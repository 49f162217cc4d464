"""The roster import writes each new member's past from the row's dates:
probationary, official, exempt, in the cell since the day they came; dates
that contradict each other or the Điều lệ are row errors or warnings; the
same file again changes nothing; the profile says where the past came from."""

from datetime import date

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from chibo.models import ImportBatch
from members.choices import PlacementKind, Status
from members.models import Exemption, Member, Placement, StatusPeriod
from members.services import member_create, member_create_with_past
from tests.factories import make_unit
from tests.members.import_factories import HEADERS, import_file, roster_row, roster_xlsx

pytestmark = pytest.mark.django_db

PAST_HEADERS = [*HEADERS, "Ngày chuyển đến chi bộ", "Ngày miễn sinh hoạt", "Lý do miễn sinh hoạt"]


def run(actor, rows, headers=PAST_HEADERS, **kwargs):
    return import_file(
        actor=actor, file_name="ds.xlsx", data=roster_xlsx(rows, headers=headers), **kwargs
    )


def history(member):
    return (
        [
            (s.status, s.valid_from, s.valid_to)
            for s in member.status_periods.order_by("valid_from")
        ],
        [(p.unit_id, p.kind, p.valid_from, p.valid_to) for p in member.placements.all()],
        [(e.reason, e.valid_from, e.valid_to) for e in member.exemptions.all()],
    )


def written():
    return (
        Member.objects.count(),
        StatusPeriod.objects.count(),
        Placement.objects.count(),
        Exemption.objects.count(),
    )


def test_a_member_who_came_from_elsewhere_is_in_the_cell_from_the_day_written(tree, ward1_staff):
    batch = run(
        ward1_staff,
        [
            roster_row(
                1,
                **{
                    "Ngày vào Đảng": "10/05/2015",
                    "Ngày chính thức": "10/05/2016",
                    "Ngày chuyển đến chi bộ": "01/08/2020",
                },
            )
        ],
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    member = Member.objects.get(card_number="90000001")
    assert history(member) == (
        [
            (Status.PROBATIONARY, date(2015, 5, 10), date(2016, 5, 10)),
            (Status.OFFICIAL, date(2016, 5, 10), None),
        ],
        [(tree.cell1a.pk, PlacementKind.PERMANENT, date(2020, 8, 1), None)],
        [],
    )


def test_a_cell_founded_after_the_admission_holds_the_member_from_its_founding(tree, ward1_staff):
    school = make_unit(
        "Chi bộ Trường Mới", parent=tree.ward1, category="school", founded_on=date(2019, 9, 5)
    )
    row = roster_row(1, cell="Chi bộ Trường Mới", **{"Ngày vào Đảng": "01/02/2017"})
    row["Ngày chính thức"] = "01/02/2018"
    batch = run(ward1_staff, [row])
    assert batch.status == ImportBatch.Status.DONE
    # the preview said so
    assert batch.result["rows"][0]["notes"] == [
        "Sinh hoạt tại Chi bộ Trường Mới từ ngày thành lập chi bộ (05/09/2019)"
    ]
    member = Member.objects.get(card_number="90000001")
    statuses, placements, _ = history(member)
    assert statuses[0] == (Status.PROBATIONARY, date(2017, 2, 1), date(2018, 2, 1))
    assert placements == [(school.pk, PlacementKind.PERMANENT, date(2019, 9, 5), None)]


def test_an_exempt_member_is_exempt_from_the_date_written_for_the_reason_written(tree, ward1_staff):
    old = {"Ngày sinh": "01/01/1945", "Giới tính": "Nam", "Ngày vào Đảng": "01/01/1970"}
    rows = [
        roster_row(
            1, **old, **{"Ngày chính thức": "01/01/1971", "Ngày miễn sinh hoạt": "15/03/2010"}
        ),
        roster_row(
            2,
            **{
                "Ngày miễn sinh hoạt": "01/06/2020",
                "Lý do miễn sinh hoạt": "Sức khỏe yếu",
            },
        ),
        roster_row(
            3, **{"Ngày miễn sinh hoạt": "01/06/2021", "Lý do miễn sinh hoạt": "Đi làm ăn xa"}
        ),
    ]
    assert run(ward1_staff, rows).status == ImportBatch.Status.DONE
    by_age, by_health, other = (Member.objects.get(card_number=f"9000000{n}") for n in (1, 2, 3))
    assert history(by_age)[2] == [(Exemption.Reason.AGE, date(2010, 3, 15), None)]
    assert history(by_health)[2] == [(Exemption.Reason.HEALTH, date(2020, 6, 1), None)]
    assert history(other)[2] == [(Exemption.Reason.OTHER, date(2021, 6, 1), None)]
    assert other.exemptions.get().note == "theo dữ liệu nhập: Đi làm ăn xa"
    assert by_age.is_exempt and by_health.is_exempt
    assert by_age.status == Status.OFFICIAL


def test_the_same_file_again_changes_nothing(tree, ward1_staff):
    rows = [
        roster_row(1, **{"Ngày chuyển đến chi bộ": "01/08/2020"}),
        roster_row(2, **{"Ngày chính thức": ""}),
        roster_row(3, **{"Ngày miễn sinh hoạt": "01/06/2020", "Lý do miễn sinh hoạt": "Ốm đau"}),
    ]
    assert run(ward1_staff, rows).status == ImportBatch.Status.DONE
    before = written()
    pasts = [history(m) for m in Member.objects.filter(card_number__startswith="9000000")]
    again = run(ward1_staff, rows)
    assert again.status == ImportBatch.Status.DONE
    assert [r["outcome"] for r in again.result["rows"]] == ["unchanged"] * 3
    assert not any("warnings" in r for r in again.result["rows"])
    assert written() == before
    assert [history(m) for m in Member.objects.filter(card_number__startswith="9000000")] == pasts


def test_a_kept_members_other_arrival_or_exemption_date_changes_nothing_and_says_so(
    tree, ward1_staff
):
    member = tree.members.m1a[0]  # in the cell since 01/01/2010, not exempt
    row = roster_row(
        1,
        **{
            "Họ và tên": member.full_name,
            "Số thẻ đảng viên": member.card_number,
            "Số CCCD": member.national_id,
            "Ngày sinh": member.birth_date.strftime("%d/%m/%Y"),
            "Giới tính": "Nam",
            "Ngày vào Đảng": "01/01/2000",
            "Ngày chính thức": "01/01/2001",
            "Ngày chuyển đến chi bộ": "05/05/2015",
            "Ngày miễn sinh hoạt": "01/06/2020",
        },
    )
    for key in ("Quê quán", "Nơi ở hiện nay", "Số điện thoại"):
        row[key] = ""
    before = history(member)
    batch = run(ward1_staff, [row])
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    [result] = batch.result["rows"]
    assert result["outcome"] == "unchanged"
    assert [w["column"] for w in result["warnings"]] == [
        "Ngày chuyển đến chi bộ",
        "Ngày miễn sinh hoạt",
    ]
    assert "từ 01/01/2010 theo hồ sơ đã có" in result["warnings"][0]["message"]
    assert history(member) == before


def errors(actor, rows):
    before = written()
    batch = run(actor, rows)
    assert batch.status == ImportBatch.Status.FAILED
    assert written() == before
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


def test_dates_that_contradict_each_other_or_the_charter_are_row_errors(tree, ward1_staff):
    rows = [
        # official before the admission
        roster_row(1, **{"Ngày vào Đảng": "01/03/2018", "Ngày chính thức": "01/03/2017"}),
        # under the charter of 2011: official before the twelve months
        roster_row(2, **{"Ngày vào Đảng": "01/03/2018", "Ngày chính thức": "15/09/2018"}),
        # admitted at 17
        roster_row(3, **{"Ngày sinh": "15/03/2001", "Ngày vào Đảng": "01/03/2018"}),
        # came to the cell before being admitted
        roster_row(4, **{"Ngày chuyển đến chi bộ": "01/01/2009"}),
        # came to the cell before it was founded
        roster_row(5, **{"Ngày chuyển đến chi bộ": "01/01/2012"}),
        # exempt before the admission
        roster_row(6, **{"Ngày miễn sinh hoạt": "01/01/2009"}),
        # a reason without the date
        roster_row(7, **{"Lý do miễn sinh hoạt": "Tuổi cao"}),
    ]
    for row in rows[2:]:
        row.setdefault("Ngày chính thức", "")
    rows[2]["Ngày chính thức"] = "01/03/2019"
    late_cell = make_unit("Chi bộ khu phố 9", parent=tree.ward1, founded_on=date(2015, 1, 1))
    rows[4]["Chi bộ"] = late_cell.name
    assert errors(ward1_staff, rows) == [
        (5, "Ngày chính thức", "Ngày chính thức (01/03/2017) trước ngày vào Đảng (01/03/2018)."),
        (
            6,
            "Ngày chính thức",
            "Ngày chính thức (15/09/2018) chưa đủ 12 tháng dự bị kể từ ngày vào Đảng "
            "(01/03/2018): theo Điều lệ Đảng, sớm nhất là ngày 01/03/2019.",
        ),
        (
            7,
            "Ngày vào Đảng",
            "Ngày vào Đảng (01/03/2018) khi chưa đủ 18 tuổi (sinh ngày 15/03/2001).",
        ),
        (
            8,
            "Ngày chuyển đến chi bộ",
            "Ngày chuyển đến chi bộ (01/01/2009) trước ngày vào Đảng (03/02/2010).",
        ),
        (
            9,
            "Ngày chuyển đến chi bộ",
            "Chi bộ “Chi bộ khu phố 9” thành lập ngày 01/01/2015, sau ngày 01/01/2012.",
        ),
        (
            10,
            "Ngày miễn sinh hoạt",
            "Ngày miễn sinh hoạt (01/01/2009) trước ngày vào Đảng (03/02/2010).",
        ),
        (
            11,
            "Ngày miễn sinh hoạt",
            "Có lý do miễn sinh hoạt nhưng thiếu “Ngày miễn sinh hoạt”.",
        ),
    ]


def test_a_recognition_long_after_probation_is_a_warning_and_older_rows_are_not_held_to_2011(
    tree, ward1_staff
):
    rows = [
        roster_row(1, **{"Ngày vào Đảng": "01/03/2015", "Ngày chính thức": "01/03/2018"}),
        # admitted under an earlier charter: not checked against today's twelve months
        roster_row(2, **{"Ngày vào Đảng": "01/03/2000", "Ngày chính thức": "01/09/2000"}),
    ]
    batch = run(ward1_staff, rows)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    late, older = batch.result["rows"]
    assert late["warnings"] == [
        {
            "column": "Ngày chính thức",
            "message": "Ngày chính thức (01/03/2018) muộn hơn nhiều so với 12 tháng dự bị kể "
            "từ ngày vào Đảng (01/03/2015); hãy kiểm tra lại năm.",
        }
    ]
    assert "warnings" not in older
    member = Member.objects.get(card_number="90000001")
    assert history(member)[0][0] == (Status.PROBATIONARY, date(2015, 3, 1), date(2018, 3, 1))


def test_the_profile_timeline_starts_at_the_admission_and_says_it_comes_from_the_import(
    client, tree, ward1_staff
):
    run(
        ward1_staff,
        [roster_row(1, **{"Ngày vào Đảng": "03/03/2017", "Ngày chính thức": "03/03/2018"})],
    )
    member = Member.objects.get(card_number="90000001")
    client.force_login(ward1_staff)
    body = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    events = body.split('class="events"')[1].split("</ol>")[0]
    items = events.split("<li>")[1:]
    assert items[0].startswith("<strong>03/03/2017 – 03/03/2018</strong> Đảng viên dự bị")
    assert all("theo dữ liệu nhập</span>" in item for item in items)


def test_a_member_entered_with_the_past_gets_the_rows_the_import_writes(tree, ward1_staff):
    member = member_create_with_past(
        actor=ward1_staff,
        unit=tree.cell1a,
        admitted_on=date(2017, 3, 3),
        official_on=date(2018, 3, 3),
        exempt_on=date(2024, 1, 1),
        full_name="Võ Thị Tay",
        gender="F",
        birth_date=date(1960, 1, 1),
    )
    assert member.status == Status.OFFICIAL and member.is_exempt
    assert history(member) == (
        [
            (Status.PROBATIONARY, date(2017, 3, 3), date(2018, 3, 3)),
            (Status.OFFICIAL, date(2018, 3, 3), None),
        ],
        [(tree.cell1a.pk, PlacementKind.PERMANENT, date(2017, 3, 3), None)],
        [(Exemption.Reason.AGE, date(2024, 1, 1), None)],
    )
    with pytest.raises(ServiceError, match="chưa đủ 12 tháng dự bị"):
        member_create_with_past(
            actor=ward1_staff,
            unit=tree.cell1a,
            admitted_on=date(2017, 3, 3),
            official_on=date(2017, 9, 3),
            full_name="Võ Văn Sớm",
            gender="M",
            birth_date=date(1980, 1, 1),
        )
    assert not Member.objects.filter(full_name="Võ Văn Sớm").exists()


def test_someone_outside_the_ward_may_not_enter_a_member_there(tree, ward2_staff):
    with pytest.raises(ServiceError):
        member_create_with_past(
            actor=ward2_staff,
            unit=tree.cell1a,
            admitted_on=date(2017, 3, 3),
            full_name="Võ Văn Ngoài",
            gender="M",
            birth_date=date(1980, 1, 1),
        )


def test_a_member_recorded_only_from_the_official_date_gets_the_past_before_it_once(
    tree, ward1_staff
):
    """What the import wrote before it reconstructed the past (and what
    member_create writes): official, in the cell, from the official date only.
    The same roster again completes the past before that day, once."""
    kept = member_create(
        actor=None,
        unit=tree.cell1a,
        status=Status.OFFICIAL,
        since=date(2011, 2, 3),
        full_name="Lê Thị Nhập 1",
        gender="F",
        birth_date=date(1980, 3, 15),
        admitted_on=date(2010, 2, 3),
        official_on=date(2011, 2, 3),
        card_number="90000001",
        national_id="040180000001",
    )
    row = roster_row(1)
    batch = run(ward1_staff, [row])
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    [result] = batch.result["rows"]
    assert result["outcome"] == "updated"
    assert result["notes"] == [
        "Bổ sung quá trình trước ngày 03/02/2011 theo dữ liệu nhập: đảng viên dự bị từ "
        "03/02/2010, sinh hoạt tại Chi bộ khu phố 1 từ 03/02/2010"
    ]
    assert history(kept) == (
        [
            (Status.PROBATIONARY, date(2010, 2, 3), date(2011, 2, 3)),
            (Status.OFFICIAL, date(2011, 2, 3), None),
        ],
        [
            (tree.cell1a.pk, PlacementKind.PERMANENT, date(2010, 2, 3), date(2011, 2, 3)),
            (tree.cell1a.pk, PlacementKind.PERMANENT, date(2011, 2, 3), None),
        ],
        [],
    )
    assert kept.status_periods.get(valid_from=date(2010, 2, 3)).note == "theo dữ liệu nhập"
    # the kept rows stay as they were
    assert kept.placements.get(valid_from=date(2011, 2, 3)).reason == "Nhập hồ sơ"
    before = written()
    again = run(ward1_staff, [row])
    assert [r["outcome"] for r in again.result["rows"]] == ["unchanged"]
    assert written() == before


def test_a_member_with_a_recorded_past_is_not_completed(tree, ward1_staff):
    """Members entered with their own dates (in the cell since 2010, admitted
    in 2000: a transfer the office recorded) keep their history as it is."""
    member = tree.members.m1a[0]
    row = roster_row(
        1,
        **{
            "Họ và tên": member.full_name,
            "Số thẻ đảng viên": member.card_number,
            "Số CCCD": member.national_id,
            "Ngày sinh": "01/01/1970",
            "Giới tính": "Nam",
            "Ngày vào Đảng": "01/01/2000",
            "Ngày chính thức": "01/01/2001",
        },
    )
    for key in ("Quê quán", "Nơi ở hiện nay", "Số điện thoại"):
        row[key] = ""
    before = history(member)
    batch = run(ward1_staff, [row])
    assert [r["outcome"] for r in batch.result["rows"]] == ["unchanged"]
    assert history(member) == before
