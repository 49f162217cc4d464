"""Bad input: every broken file and every bad row gets a clear Vietnamese
message and writes nothing; no upload of any kind is a 500."""

import io
import random
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chibo.models import ImportBatch
from members.models import Member, Placement, StatusPeriod
from tests.factories import make_member
from tests.members.import_factories import TODAY, import_file, roster_csv, roster_row, roster_xlsx


def _written() -> tuple[int, int, int]:
    return Member.objects.count(), Placement.objects.count(), StatusPeriod.objects.count()


def _encrypted_xlsx() -> bytes:
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(roster_xlsx([roster_row(1)]))).encrypt("mat-khau", out)
    return out.getvalue()


def _zip_of_text() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ghi-chu.txt", "không phải bảng tính")
    return buf.getvalue()


BROKEN_FILES = {
    "empty": (lambda: b"", "Tệp trống"),
    "only blank lines": (lambda: b"\r\n \r\n", "Tệp trống"),
    "a picture": (
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        "không phải là bảng tính",
    ),
    "a pdf": (
        lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + bytes(50),
        "không phải là bảng tính",
    ),
    "a zip that is not a workbook": (_zip_of_text, "không phải là bảng tính"),
    "a truncated workbook": (lambda: roster_xlsx([roster_row(1)])[:1500], "bị hỏng"),
    "a password-protected workbook": (_encrypted_xlsx, "đặt mật khẩu"),
    "an old .xls": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "tệp Excel cũ (.xls)",
    ),
    "csv in windows-1258": (
        lambda: b"H\xf2o v\xe0 t\xean;Ng\xe0y sinh\nNguy\xea\xden V\xe3n \xc2n;01/01/1970\n",
        "không ở mã UTF-8",
    ),
    "latin-1 garbage": (lambda: bytes(range(128, 256)) * 20, "không ở mã UTF-8"),
    "no header row": (lambda: b"a;b;c\n1;2;3\n4;5;6\n", "Không tìm thấy dòng tiêu đề"),
    "no name column": (
        lambda: "Ngày sinh;Số thẻ đảng viên\n01/01/1970;123\n".encode(),
        "Thiếu cột bắt buộc: “Họ và tên”",
    ),
    "header but no rows": (lambda: roster_xlsx([]), "không có dòng dữ liệu"),
    "a header twice": (
        lambda: "Họ và tên;Họ tên;Ngày sinh\nAn;An;01/01/1970\n".encode(),
        "xuất hiện hai lần",
    ),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_a_broken_file_is_refused_with_its_reason_and_writes_nothing(name, tree, ward1_staff):
    make_data, message = BROKEN_FILES[name]
    before = _written()
    batch = import_file(actor=ward1_staff, file_name="tep", data=make_data())
    assert batch.status == ImportBatch.Status.FAILED
    assert message in batch.message
    assert _written() == before


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_uploading_a_broken_file_shows_the_reason_on_the_page(name, tree, ward1_staff, client):
    make_data, message = BROKEN_FILES[name]
    client.force_login(ward1_staff)
    before = _written()
    response = client.post(
        reverse("members:import"),
        {"file": SimpleUploadedFile("tep.xlsx", make_data() or b" ")},
        follow=True,
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert _written() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tree, ward1_staff, client, settings
):
    settings.CHIBO_MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(ward1_staff)
    garbage = random.Random(4).randbytes(2 * 1024 * 1024)
    response = client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("x.xlsx", garbage)}
    )
    assert response.status_code == 400
    assert "Tệp quá lớn: tối đa 1 MB." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_fifty_megabytes_of_garbage_are_refused_by_the_command_without_reading(
    tree, tmp_path, capsys
):
    from django.core.management import call_command

    path = tmp_path / "rac.xlsx"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # a sparse 50 MB file
    with pytest.raises(SystemExit) as exit_:
        call_command("import_members", str(path), "--json")
    assert exit_.value.code == 1
    assert "Tệp quá lớn" in capsys.readouterr().out
    assert not ImportBatch.objects.exists()


def _fuzzed_files(seed: int = 2026, count: int = 40) -> list[bytes]:
    """Mangled versions of a good workbook and CSV, and plain noise."""
    rnd = random.Random(seed)
    good_xlsx = roster_xlsx([roster_row(i) for i in range(1, 4)])
    good_csv = roster_csv([roster_row(i) for i in range(1, 4)])
    files = []
    for i in range(count):
        base = bytearray(good_xlsx if i % 2 else good_csv)
        kind = i % 4
        if kind == 0:  # flip bytes
            for _ in range(rnd.randint(1, 30)):
                base[rnd.randrange(len(base))] = rnd.randrange(256)
        elif kind == 1:  # cut short
            base = base[: rnd.randrange(1, len(base))]
        elif kind == 2:  # noise, sometimes starting like a zip
            base = bytearray(rnd.randbytes(rnd.randint(1, 5000)))
            if rnd.random() < 0.5:
                base[:4] = b"PK\x03\x04"
        else:  # splice two halves of different files
            cut = rnd.randrange(len(base))
            base = base[:cut] + bytearray(rnd.randbytes(rnd.randint(0, 500))) + base[cut:]
        files.append(bytes(base))
    return files


def test_fuzzed_uploads_never_cause_a_server_error(tree, ward1_staff, client):
    client.force_login(ward1_staff)
    client.raise_request_exception = True
    before = _written()
    for i, data in enumerate(_fuzzed_files()):
        response = client.post(
            reverse("members:import"), {"file": SimpleUploadedFile(f"f{i}.xlsx", data or b"x")}
        )
        assert response.status_code in (302, 400), f"file {i}"
        if response.status_code == 302:
            page = client.get(response["Location"])
            assert page.status_code == 200, f"file {i}"
    # uploading only previews: nothing is written until confirmed
    assert _written() == before
    assert set(ImportBatch.objects.values_list("status", flat=True)) <= {
        ImportBatch.Status.FAILED,
        ImportBatch.Status.PREVIEWED,
    }


def test_fuzzed_files_through_the_command_path_end_failed_or_clean(tree):
    for data in _fuzzed_files(seed=7, count=30):
        before = _written()
        batch = import_file(actor=None, file_name="f", data=data)
        if batch.status == ImportBatch.Status.FAILED:
            assert batch.message
            assert _written() == before


# --- bad rows -------------------------------------------------------------------


def _errors(actor, rows, **kwargs):
    before = _written()
    batch = import_file(actor=actor, file_name="ds.xlsx", data=roster_xlsx(rows), **kwargs)
    assert batch.status == ImportBatch.Status.FAILED
    assert _written() == before
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


def test_an_impossible_date_is_named_with_its_row_and_column(tree, ward1_staff):
    assert _errors(ward1_staff, [roster_row(1), roster_row(2, **{"Ngày sinh": "31/02/1970"})]) == [
        (6, "Ngày sinh", "Ngày 31/02/1970 không có thật.")
    ]


def test_a_date_that_is_not_a_date(tree, ward1_staff):
    [(row, column, message)] = _errors(
        ward1_staff, [roster_row(1, **{"Ngày vào Đảng": "năm 2010"})]
    )
    assert (row, column) == (5, "Ngày vào Đảng")
    assert message == "“năm 2010” không phải là ngày (dd/mm/yyyy)."


def test_official_before_admission_is_refused(tree, ward1_staff):
    rows = [roster_row(1, **{"Ngày vào Đảng": "03/02/2012", "Ngày chính thức": "03/02/2011"})]
    assert _errors(ward1_staff, rows) == [
        (5, "Ngày chính thức", "Ngày chính thức (03/02/2011) trước ngày vào Đảng (03/02/2012).")
    ]


def test_an_admission_before_eighteen_is_refused_as_a_likely_typo(tree, ward1_staff):
    rows = [roster_row(1, **{"Ngày sinh": "15/03/1995", "Ngày vào Đảng": "03/02/2010"})]
    assert _errors(ward1_staff, rows) == [
        (
            5,
            "Ngày vào Đảng",
            "Ngày vào Đảng (03/02/2010) khi chưa đủ 18 tuổi (sinh ngày 15/03/1995).",
        )
    ]


def test_an_update_that_makes_the_admission_age_under_eighteen_is_refused(tree, ward1_staff):
    make_member(
        tree.cell1a,
        card_number="55550009",
        admitted_on=date(2010, 2, 3),
        official_on=date(2011, 2, 3),
    )
    row = roster_row(9, **{"Số thẻ đảng viên": "55550009", "Ngày sinh": "15/03/1995"})
    row.pop("Số CCCD")
    [(_row, column, message)] = _errors(ward1_staff, [row])
    assert column == "Ngày vào Đảng" and "chưa đủ 18 tuổi" in message


def test_a_duplicate_card_within_the_file(tree, ward1_staff):
    rows = [roster_row(1), roster_row(2, **{"Số thẻ đảng viên": "90000001"})]
    assert _errors(ward1_staff, rows) == [
        (6, "Số thẻ đảng viên", "Số thẻ đảng viên 90000001 trùng với dòng 5.")
    ]


def test_a_duplicate_cccd_within_the_file(tree, ward1_staff):
    rows = [roster_row(1), roster_row(2, **{"Số CCCD": "040180000001"})]
    assert _errors(ward1_staff, rows) == [(6, "Số CCCD", "Số CCCD 040180000001 trùng với dòng 5.")]


def test_a_card_of_one_member_with_the_cccd_of_another(tree, ward1_staff):
    a = make_member(tree.cell1a, card_number="55550001", national_id="001070555501")
    make_member(tree.cell1a, card_number="55550002", national_id="001070555502")
    rows = [roster_row(1, **{"Số thẻ đảng viên": "55550001", "Số CCCD": "001070555502"})]
    [(row, column, message)] = _errors(ward1_staff, rows)
    assert (row, column) == (5, "Số CCCD")
    assert "đã được dùng cho đảng viên khác" in message
    a.refresh_from_db()
    assert a.national_id == "001070555501"


def test_a_cccd_already_held_by_a_member_with_another_card(tree, ward1_staff):
    make_member(tree.cell1a, card_number="55550002", national_id="001070555502")
    rows = [roster_row(1, **{"Số CCCD": "001070555502"})]
    [(row, column, message)] = _errors(ward1_staff, rows)
    assert (row, column) == (5, "Số thẻ đảng viên")
    assert "có số thẻ 55550002, khác số thẻ trong tệp" in message


def test_a_card_held_in_another_ward_is_a_duplicate_against_the_database(tree, ward1_staff):
    other = tree.members.m2a[0]
    rows = [roster_row(1, **{"Số thẻ đảng viên": other.card_number})]
    [(row, column, message)] = _errors(ward1_staff, rows)
    assert (row, column) == (5, "Số thẻ đảng viên")
    assert message == (
        f"Số thẻ đảng viên {other.card_number} đã được dùng cho một đảng viên ngoài phạm vi của bạn."
    )


def test_an_unknown_cell(tree, ward1_staff):
    assert _errors(ward1_staff, [roster_row(1, **{"Chi bộ": "Chi bộ Mặt Trăng"})]) == [
        (5, "Chi bộ", "Chi bộ “Chi bộ Mặt Trăng” không tìm thấy hoặc không thuộc phạm vi của bạn.")
    ]


@pytest.mark.parametrize("cccd", ["12345", "0401800000011", "04018000000a", "040 180 000"])
def test_a_cccd_that_is_not_twelve_digits(tree, ward1_staff, cccd):
    [(row, column, message)] = _errors(ward1_staff, [roster_row(1, **{"Số CCCD": cccd})])
    assert (row, column) == (5, "Số CCCD")
    assert message.endswith("phải gồm đúng 12 chữ số.")


def test_missing_required_values_for_a_new_member(tree, ward1_staff):
    rows = [roster_row(1, **{"Giới tính": "", "Ngày vào Đảng": "", "Ngày chính thức": ""})]
    assert _errors(ward1_staff, rows) == [
        (5, "Giới tính", "Thiếu “Giới tính” (bắt buộc khi thêm đảng viên mới)."),
        (5, "Ngày vào Đảng", "Thiếu “Ngày vào Đảng” (bắt buộc khi thêm đảng viên mới)."),
    ]


def test_a_gender_other_than_nam_or_nu(tree, ward1_staff):
    assert _errors(ward1_staff, [roster_row(1, **{"Giới tính": "Khác"})]) == [
        (5, "Giới tính", "Giới tính “Khác” không hợp lệ: ghi “Nam” hoặc “Nữ”.")
    ]


def test_a_dissolved_cell_takes_no_new_member(tree, ward1_staff):
    from datetime import date

    tree.cell1b.dissolved_on = date(2005, 1, 1)
    tree.cell1b.save()
    [(row, column, message)] = _errors(
        ward1_staff, [roster_row(1, **{"Chi bộ": "Chi bộ cơ quan phường"})]
    )
    assert (row, column) == (5, "Chi bộ")
    assert "đã giải thể" in message


def test_every_error_of_a_row_is_reported_at_once(tree, ward1_staff):
    rows = [roster_row(1, **{"Ngày sinh": "30/02/1980", "Số CCCD": "1", "Chi bộ": "Không có"})]
    columns = [c for _r, c, _m in _errors(ward1_staff, rows)]
    assert sorted(columns) == ["Chi bộ", "Ngày sinh", "Số CCCD"]


def test_a_card_number_too_long_for_the_register(tree, ward1_staff):
    [(row, column, message)] = _errors(
        ward1_staff, [roster_row(1, **{"Số thẻ đảng viên": "1" * 25})]
    )
    assert (row, column, message) == (5, "Số thẻ đảng viên", "Số thẻ đảng viên dài quá 20 ký tự.")


def test_a_duplicate_far_apart_in_a_big_file_is_still_found(tree, ward1_staff, monkeypatch):
    from members import imports

    monkeypatch.setattr(imports, "CHUNK", 1)  # rows are matched 5 at a time
    rows = [roster_row(i) for i in range(1, 12)]
    rows.append(roster_row(12, **{"Số thẻ đảng viên": "90000001"}))
    assert _errors(ward1_staff, rows) == [
        (16, "Số thẻ đảng viên", "Số thẻ đảng viên 90000001 trùng với dòng 5.")
    ]


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12345", "Số điện thoại “12345” không hợp lệ: số di động gồm 10 chữ số"),
        ("0912 34", "Số điện thoại “0912 34” không hợp lệ"),
        ("01681234567", "đầu số di động 11 chữ số cũ (01…)"),
    ],
)
def test_a_phone_number_that_is_not_vietnamese_is_a_row_error(tree, ward1_staff, phone, message):
    [(row, column, text)] = _errors(ward1_staff, [roster_row(1, **{"Số điện thoại": phone})])
    assert (row, column) == (5, "Số điện thoại")
    assert message in text


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("+84 912 345 678", "+84 912 345 678"),
        ("024 3825 1234", "02438251234"),  # digits only: kept without the spaces, as before
        ("0912.345.678", "0912345678"),
        (912345678, "0912345678"),  # typed as a number, Excel dropped the 0
    ],
)
def test_mobile_and_landline_numbers_are_taken(tree, ward1_staff, phone, stored):
    batch = import_file(
        actor=ward1_staff,
        file_name="ds.xlsx",
        data=roster_xlsx([roster_row(1, **{"Số điện thoại": phone})]),
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert Member.objects.get(card_number="90000001").phone == stored


def test_a_new_member_born_less_than_sixteen_years_ago_gets_a_warning(tree, ward1_staff):
    born = date(TODAY.year - 10, 1, 1).strftime("%d/%m/%Y")
    batch = import_file(
        actor=ward1_staff,
        file_name="ds.xlsx",
        data=roster_xlsx([roster_row(1, **{"Ngày sinh": born}), roster_row(2)]),
        dry_run=True,
    )
    [young, grown] = batch.result["rows"]
    assert young["warnings"] == [
        {
            "column": "Ngày sinh",
            "message": f"Theo ngày sinh {born}, người này chưa đủ 16 tuổi; hãy kiểm tra lại năm sinh.",
        }
    ]
    assert "warnings" not in grown
