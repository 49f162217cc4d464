"""Server-drawn SVG charts."""

import xml.etree.ElementTree as ET

from reports.charts import MAX_BARS, render


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
    assert len(root.findall(f"{ns}rect")) == 2
    texts = [t.text for t in root.findall(f"{ns}text")]
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
