"""The minutes and the resolution of a meeting as documents (PDF and .docx):
their context, built once from the minutes' content, and their default .docx
templates, which follow the PDF's layout line by line."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from chibo.dates import in_words, parse_day
from chibo.text import slug
from documents import docx_builder as b
from documents.header import date_line, signer_on
from documents.kinds import DocumentKind, register
from meetings.models import Meeting, MeetingBody, MinutesVersion
from meetings.selectors import minutes_content


def _doc_number(number: str, suffix: str) -> str:
    number = (number or "").strip()
    if not number:
        return f"\u00a0\u00a0\u00a0\u00a0-{suffix}"
    return number if "-" in number else f"{number}-{suffix}"


def document_context(meeting: Meeting, kind: str, version: MinutesVersion | None = None) -> dict:
    """What the minutes ("BB") or the resolution ("NQ") print: the adopted
    version's frozen text when one is asked for, else the text as it stands."""
    # Hướng dẫn 36-HD/VPTW: a cell signs "BB/CB", a party committee "BB/ĐU"
    suffix = f"{kind}/{'CB' if meeting.unit.is_cell else 'ĐU'}"
    if version is not None:
        content = version.content
        shown = {
            "number": version.number,
            "adopted_on": timezone.localdate(version.adopted_at).strftime("%d/%m/%Y"),
        }
    else:
        content, shown = minutes_content(meeting), None
    held_on = parse_day(content["held_on"]) or meeting.held_on
    # versions frozen before the signer was part of the content sign as now
    signer = content.get("signer") or signer_on(
        meeting.unit, held_on, cell_committee=meeting.body == MeetingBody.CELL_COMMITTEE
    )
    if not signer["name"]:
        signer = {**signer, "name": content["chair"]}
    return {
        "c": content,
        "version": shown,
        # a draft must not print "read back and adopted" before it was
        "adopted": version is not None or meeting.is_adopted,
        "issuer_parent": content["parent"],
        "issuer": content["unit"],
        "doc_number": _doc_number(content["number"], suffix),
        "date_line": date_line(content["place_name"], held_on),
        "held_on_words": in_words(held_on),
        "signer": signer,
    }


def filename(meeting: Meeting, kind: str) -> str:
    """ "bien-ban-chi-bo-khu-pho-1-2026-12-01"."""
    what = {"minutes": "Biên bản", "resolution": "Nghị quyết"}[kind]
    if meeting.is_cell_committee:
        what += " họp chi ủy"
    return slug(what, meeting.unit.name, meeting.held_on.isoformat())


# --- The default .docx templates ----------------------------------------------------

_CELL_COMMITTEE = '{% if c.body == "cell_committee" %}'


def build_minutes():
    doc = b.new_document()
    b.header(doc)
    b.title(
        doc,
        _CELL_COMMITTEE + "BIÊN BẢN HỌP CHI ỦY{% else %}BIÊN BẢN{% endif %}",
        "{{ c.kind_label }} tháng {{ c.period }}"
        "{% if c.thematic_subject %} – Chuyên đề: {{ c.thematic_subject }}{% endif %}",
    )
    b.para(
        doc,
        "{% if version %}(Phiên bản {{ version.number }}, thông qua ngày {{ version.adopted_on }})"
        "{% elif not adopted %}(Dự thảo – biên bản chưa được thông qua){% endif %}",
        italic=True,
        align="center",
    )
    b.para(
        doc,
        "Hồi {{ c.starts_at }} {{ held_on_words }}, tại {{ c.place }}, "
        + _CELL_COMMITTEE
        + "Chi ủy {{ c.unit }} tiến hành họp.{% else %}{{ c.unit }} tiến hành sinh hoạt.{% endif %}",
    )
    b.para(doc, "Chủ trì: {{ c.chair }}. Thư ký: {{ c.secretary }}.")
    b.heading(doc, "I. Thành phần dự họp")
    b.para(
        doc,
        _CELL_COMMITTEE + "Tổng số chi ủy viên{% else %}Tổng số đảng viên{% endif %}: "
        "{{ c.figures.expected }}; phải dự: {{ c.figures.summoned }}; có mặt: "
        "{{ c.figures.present }}/{{ c.figures.summoned }}"
        "{% if c.percent is not none %} ({{ c.percent }}%){% endif %}. "
        "Vắng có lý do: {{ c.figures.excused }}; vắng không lý do: {{ c.figures.unexcused }}"
        "{% if c.figures.exempt %}; miễn sinh hoạt: {{ c.figures.exempt }}{% endif %}"
        "{% if c.figures.away %}; sinh hoạt tạm thời nơi khác: {{ c.figures.away }}{% endif %}.",
    )
    b.grid(
        doc,
        ["TT", "Họ và tên", "Tình hình", "Lý do"],
        ["{{ loop.index }}", "{{ a.name }}", "{{ a.status_label }}", "{{ a.reason }}"],
        "a in c.absentees",
    )
    b.para(
        doc,
        "{% if c.guests %}Khách mời: {% for g in c.guests %}{{ g.name }}"
        "{% if g.title %} ({{ g.title }}){% endif %}"
        "{% if g.follows_cell %} – cấp ủy viên cấp trên phụ trách chi bộ{% endif %}"
        "{% if not loop.last %}; {% endif %}{% endfor %}.{% endif %}",
    )
    b.heading(doc, "II. Chương trình")
    b.para(doc, "{{ c.agenda }}")
    b.para(
        doc,
        "{% if c.documents %}{% if c.documents_sent_on %}Tài liệu gửi đảng viên ngày "
        "{{ c.documents_sent_on }}:{% else %}Tài liệu:{% endif %} {{ c.documents }}{% endif %}",
    )
    b.heading(doc, "III. Nội dung")
    for title, key in (
        ("Phần mở đầu", "opening"),
        ("Đánh giá tình hình tháng trước", "last_month_review"),
        ("Nhiệm vụ tháng tới", "next_month_tasks"),
        ("Kết luận của chủ trì", "conclusions"),
        ("Nghị quyết", "resolution_text"),
    ):
        b.para(doc, f"{{% if c.{key} %}}{title}.{{% endif %}}", bold=True, keep_with_next=True)
        b.para(doc, f"{{{{ c.{key} }}}}")
    b.heading(doc, "{% if c.votes %}IV. Kết quả biểu quyết{% endif %}")
    b.grid(
        doc,
        ["Nội dung biểu quyết", "Tán thành", "Không tán thành", "Không biểu quyết", "Kết quả"],
        [
            "{{ v.subject }}",
            "{{ v.yes }}/{{ v.denominator }}{% if v.yes_percent %} ({{ v.yes_percent }}){% endif %}",
            "{{ v.no }}/{{ v.denominator }}",
            "{{ v.abstain }}/{{ v.denominator }}",
            "{{ v.result }}",
        ],
        "v in c.votes",
    )
    b.para(
        doc,
        "Cuộc họp kết thúc hồi {{ c.ends_at }} cùng ngày.{% if adopted %} Biên bản đã được đọc "
        "lại cho " + _CELL_COMMITTEE + "chi ủy{% else %}chi bộ{% endif %} nghe và thông qua."
        "{% endif %}",
        keep_with_next=True,
    )
    b.signatures(
        doc,
        b.signed_by("THƯ KÝ", "{{ c.secretary }}"),
        b.signed_by("CHỦ TRÌ", "{{ c.chair }}"),
    )
    return doc


def build_resolution():
    doc = b.new_document()
    b.header(doc)
    b.title(
        doc,
        "NGHỊ QUYẾT",
        "{% if c.thematic_subject %}{{ c.thematic_subject }}{% else %}"
        "Về lãnh đạo thực hiện nhiệm vụ tháng {{ c.period }}{% endif %}",
    )
    b.para(
        doc,
        "{% if not adopted %}(Dự thảo – biên bản chưa được thông qua){% endif %}",
        italic=True,
        align="center",
    )
    b.para(
        doc,
        "Căn cứ kết quả {{ c.kind_label|lower }} của " + _CELL_COMMITTEE + "Chi ủy {% endif %}"
        "{{ c.unit }} {{ held_on_words }} (có mặt {{ c.figures.present }}/{{ c.figures.summoned }} "
        + _CELL_COMMITTEE
        + "chi ủy viên{% else %}đảng viên{% endif %}),",
    )
    b.para(
        doc,
        _CELL_COMMITTEE + "CHI ỦY {% endif %}{{ c.unit|upper }} QUYẾT NGHỊ:",
        bold=True,
        align="center",
    )
    b.para(
        doc,
        "{% if c.resolution_text %}{{ c.resolution_text }}{% else %}{{ c.next_month_tasks }}{% endif %}",
    )
    b.para(
        doc,
        "{% for v in c.votes %}{{ v.subject }}: tán thành {{ v.yes }}/{{ v.denominator }}, không tán "
        "thành {{ v.no }}/{{ v.denominator }}, không biểu quyết {{ v.abstain }}/{{ v.denominator }} "
        "đảng viên chính thức được tính – {{ v.result|lower }}.\n{% endfor %}",
    )
    b.para(
        doc,
        "Nghị quyết được phổ biến đến toàn thể đảng viên trong chi bộ để thực hiện.",
        keep_with_next=True,
    )
    b.signatures(
        doc,
        b.recipients(
            "{% if c.parent %}{{ c.parent }}{% else %}Cấp ủy cấp trên{% endif %},",
            "Đảng viên trong chi bộ,",
            "Lưu chi bộ.",
        ),
        b.SIGNER,
    )
    return doc


MINUTES = register(
    DocumentKind(
        key="minutes",
        label=gettext_lazy("Biên bản sinh hoạt chi bộ"),
        pdf_template="meetings/pdf/minutes.html",
        build_docx=build_minutes,
    )
)
RESOLUTION = register(
    DocumentKind(
        key="resolution",
        label=gettext_lazy("Nghị quyết chi bộ"),
        pdf_template="meetings/pdf/resolution.html",
        build_docx=build_resolution,
    )
)
