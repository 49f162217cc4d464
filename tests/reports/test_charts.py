"""Server-drawn SVG charts."""

import xml.etree.ElementTree as ET

from reports.charts import COLOURS, MAX_BARS, render


def test_a_bar_chart_draws_one_bar_per_line_with_vietnamese_numbers():
    svg = str(
        render(
            {
                "type": "bar",
                "title": "Đảng viên",
                "labels": ["A", "B <&> C"],
                "values": [1091, 51.8],
            }
        )
    )
    root = ET.fromstring(svg)  # well-formed, names escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert len(list(root.iter(f"{ns}rect"))) == 2
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "1.091" in texts
    assert "51,8" in texts
    assert "B <&> C" in texts


def test_a_pie_chart_gives_each_share_in_its_legend():
    svg = str(render({"type": "pie", "labels": ["Nam", "Nữ"], "values": [3, 1]}))
    assert "Nam: 3 (75%)" in svg
    assert "Nữ: 1 (25%)" in svg


def test_no_chart_when_there_are_too_many_bars_to_read():
    labels = [f"Đơn vị {i}" for i in range(MAX_BARS + 1)]
    assert str(render({"type": "bar", "labels": labels, "values": [1] * len(labels)})) == ""


NS = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> list[tuple[str, str]]:
    """(label, fill) of each bar, top to bottom."""
    root = ET.fromstring(svg)
    out = []
    for g in root.findall(f"{NS}g"):
        label = g.find(f"{NS}text").text
        out.append((label, g.find(f"{NS}rect").get("fill")))
    return out


def test_a_chart_scales_to_its_box_instead_of_a_fixed_width():
    root = ET.fromstring(str(render({"type": "bar", "labels": ["A"], "values": [3]})))
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox").startswith("0 0 ")


def test_a_breakdown_is_sorted_largest_first_and_coloured_against_its_target():
    svg = str(
        render(
            {
                "type": "bar",
                "sort": True,
                "labels": ["Chi bộ A", "Chi bộ B", "Chi bộ C"],
                "values": [90.0, 99.0, 80.0],
                "max": 100,
                "target": [85, 95, 95],
                "target_label": "Chỉ tiêu",
            }
        )
    )
    assert _bars(svg) == [
        ("Chi bộ B", COLOURS["met"]),  # 99 >= 95
        ("Chi bộ A", COLOURS["met"]),  # 90 >= 85: its own target, carried by the sort
        ("Chi bộ C", COLOURS["missed"]),  # 80 < 95
    ]
    # one dashed target mark per bar, at its own target
    root = ET.fromstring(svg)
    marks = [float(line.get("x1")) for line in root.iter(f"{NS}line") if line.get("class")]
    assert len(marks) == 3 and marks[0] == marks[2] > marks[1]


def test_a_cap_is_met_by_staying_under_it():
    svg = str(
        render(
            {"type": "bar", "labels": ["X", "Y"], "values": [28.6, 10.0], "target": 20, "cap": True}
        )
    )
    assert _bars(svg) == [("X", COLOURS["missed"]), ("Y", COLOURS["met"])]
    assert "Chỉ tiêu: 20" in svg


def test_a_colour_means_the_same_thing_on_every_chart():
    rating_pie = str(
        render(
            {
                "type": "pie",
                "labels": ["HTXSNV", "KHTNV"],
                "values": [1, 1],
                "keys": ["excellent", "not_completed"],
            }
        )
    )
    bars = str(render({"type": "bar", "labels": ["a"], "values": [1], "keys": ["excellent"]}))
    assert COLOURS["excellent"] in rating_pie and COLOURS["not_completed"] in rating_pie
    assert _bars(bars) == [("a", COLOURS["excellent"])]


def test_stacked_shares_compare_rows_of_different_sizes():
    spec = {
        "type": "stacked",
        "percent": True,
        "sort": True,
        "lead": 2,
        "lead_label": "HTTNV trở lên (%)",
        "labels": ["Phường lớn", "Xã nhỏ"],
        "series": [
            {"label": "HTXSNV", "key": "excellent", "values": [10, 1]},
            {"label": "HTTNV", "key": "good", "values": [50, 3]},
            {"label": "KHTNV", "key": "not_completed", "values": [40, 0]},
        ],
    }
    root = ET.fromstring(str(render(spec)))
    rows = root.findall(f"{NS}g")
    # the small commune (4 of 4 good or better) before the big ward (60 of 100)
    assert [[t.text for t in g.findall(f"{NS}text")] for g in rows] == [
        ["Xã nhỏ", "100"],
        ["Phường lớn", "60"],
    ]
    # each part in its level's colour, as wide as its share of the row
    ward = [(r.get("fill"), float(r.get("width"))) for r in rows[1].findall(f"{NS}rect")]
    assert [f for f, _w in ward] == [COLOURS["excellent"], COLOURS["good"]] + [
        COLOURS["not_completed"]
    ]
    assert [round(w) for _f, w in ward] == [32, 160, 128]  # 10%, 50%, 40% of 320
    assert "HTTNV trở lên (%)" in str(render(spec))


def test_small_multiples_draw_one_chart_per_spec():
    one = {"type": "bar", "title": "Nữ (%)", "labels": ["A"], "values": [40]}
    two = {"type": "bar", "title": "Trên 60 tuổi (%)", "labels": ["A"], "values": [55]}
    svg = str(render([one, two]))
    assert svg.count("<svg ") == 2 and svg.index("Nữ (%)") < svg.index("Trên 60 tuổi (%)")
    assert str(render([])) == "" and str(render(None)) == ""


def test_a_long_title_wraps_instead_of_running_off_the_chart():
    title = "HTXSNV trên số đảng viên HTTNV trở lên năm 2025 (%)"
    root = ET.fromstring(
        str(render({"type": "bar", "title": title, "labels": ["A"], "values": [1]}))
    )
    lines = [t.text for t in root.findall(f"{NS}text")]
    assert lines[:2] == ["HTXSNV trên số đảng viên HTTNV trở lên năm", "2025 (%)"]
    # the bars start below the second line
    assert float(root.find(f"{NS}g/{NS}text").get("y")) > 37
