"""The annual review's documents, PDF and .docx: a member's self-review sheet,
a cell's vote summary, and the committee's decision list, each signed for its
body by the secretary in office (documents.header)."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy

from chibo.text import slug
from documents import docx_builder as b
from documents.header import official_header
from documents.kinds import DocumentKind, register
from organizations.models import Unit


def document_context(unit: Unit, *, today: date | None = None, **extra) -> dict:
    return {**official_header(unit, today or timezone.localdate()), **extra}


def filename(what: str, *parts) -> str:
    return slug(what, *(str(p) for p in parts))


def build_self_review():
    doc = b.new_document()
    b.header(doc)
    b.title(doc, "BẢN KIỂM ĐIỂM CÁ NHÂN", "Năm {{ review.year }}")
    b.para(doc, "(Dùng cho đảng viên, theo {{ rules.regulation }})", italic=True, align="center")
    b.para(
        doc,
        "Họ và tên: {{ review.member.full_name }}. Ngày sinh: {{ birth_date }}. "
        "Sinh hoạt tại: {{ review.cell.name }}.",
    )
    b.heading(doc, "I. ƯU ĐIỂM, KẾT QUẢ ĐẠT ĐƯỢC, HẠN CHẾ, KHUYẾT ĐIỂM")
    b.para(doc, "{{ review.self_review or '……………………………………………………' }}")
    b.heading(
        doc,
        "{% if rules.has_score %}II. TỰ CHẤM ĐIỂM (THANG 100 ĐIỂM): tiêu chí chung "
        "{{ review.score_general if review.score_general is not none else '…' }}/30, kết quả "
        "thực hiện nhiệm vụ {{ review.score_results if review.score_results is not none else '…' }}"
        "/70, tổng {{ review.score if review.score is not none else '…' }}/100{% endif %}",
    )
    b.heading(
        doc, "{% if rules.has_score %}III{% else %}II{% endif %}. TỰ NHẬN MỨC XẾP LOẠI CHẤT LƯỢNG"
    )
    b.para(
        doc,
        "Hoàn thành xuất sắc nhiệm vụ ☐   Hoàn thành tốt nhiệm vụ ☐   Hoàn thành nhiệm vụ ☐   "
        "Không hoàn thành nhiệm vụ ☐",
    )
    b.para(
        doc,
        "{% if review.residence_comment %}Nhận xét của chi bộ nơi cư trú: "
        "{{ review.residence_comment }}{% endif %}",
    )
    b.para(
        doc,
        "{% if review.cell_comment %}Nhận xét, đánh giá của chi bộ: {{ review.cell_comment }}"
        "{% endif %}",
    )
    b.para(
        doc,
        "{% if review.proposed_level %}Chi bộ đề xuất xếp loại: {{ review.proposed_name }}."
        "{% endif %}{% if review.decided_level %} Cấp ủy quyết định xếp loại: "
        "{{ review.decided_name }}.{% endif %}",
        keep_with_next=True,
    )
    b.signatures(
        doc,
        [("XÁC NHẬN CỦA CHI BỘ", {"bold": True}), *b.SIGNER],
        b.signed_by("NGƯỜI TỰ KIỂM ĐIỂM", "{{ review.member.full_name }}"),
    )
    return doc


def build_vote_summary():
    doc = b.new_document()
    b.header(doc)
    b.title(
        doc,
        "TỔNG HỢP KẾT QUẢ BIỂU QUYẾT",
        "Đánh giá, xếp loại chất lượng đảng viên năm {{ cycle.year }}",
    )
    b.para(doc, "({{ rules.regulation }})", italic=True, align="center")
    b.grid(
        doc,
        [
            "TT",
            "Họ và tên",
            "Chi bộ",
            "Số biểu quyết",
            "HTXSNV",
            "HTTNV",
            "HTNV",
            "KHTNV",
            "Chi bộ đề xuất",
        ],
        [
            "{{ loop.index }}",
            "{{ r.member.full_name }}{% if rules.has_score and r.score is not none %} ({{ r.score }} điểm){% endif %}",
            "{{ r.cell.name }}",
            "{{ r.vote_present if r.vote_present is not none else '' }}",
            "{{ r.votes_excellent if r.votes_excellent is not none else '' }}",
            "{{ r.votes_good if r.votes_good is not none else '' }}",
            "{{ r.votes_completed if r.votes_completed is not none else '' }}",
            "{{ r.votes_not_completed if r.votes_not_completed is not none else '' }}",
            "{{ r.proposed_name }}",
        ],
        "r in reviews",
        size=10,
    )
    b.para(doc, "", keep_with_next=True)
    b.signatures(doc, [b.SPACE], b.SIGNER)
    return doc


def build_decision_list():
    doc = b.new_document()
    b.header(doc)
    b.title(
        doc,
        "DANH SÁCH XẾP LOẠI CHẤT LƯỢNG",
        "Đảng viên và tổ chức đảng thuộc {{ cycle.unit.name }}, năm {{ cycle.year }}",
    )
    b.para(
        doc,
        "(Kèm theo quyết định của cấp ủy, theo {{ rules.regulation }})",
        italic=True,
        align="center",
    )
    b.heading(doc, "I. ĐẢNG VIÊN")
    b.grid(
        doc,
        ["TT", "Họ và tên", "Chi bộ", "Xếp loại", "Ghi chú"],
        [
            "{{ loop.index }}",
            "{{ r.member.full_name }}",
            "{{ r.cell.name }}",
            "{{ r.decided_name }}",
            "{{ r.override_reason }}",
        ],
        "r in reviews",
    )
    b.para(
        doc,
        "Tổng hợp: {% for f in results.figures %}{{ f.short }} {{ f.count }} ({{ f.percent }})"
        "{% if not loop.last %}; {% endif %}{% endfor %}.",
    )
    b.heading(doc, "II. TỔ CHỨC ĐẢNG")
    b.grid(
        doc,
        ["TT", "Tổ chức đảng", "Xếp loại"],
        ["{{ loop.index }}", "{{ r.unit.name }}", "{{ r.decided_name }}"],
        "r in orgs",
    )
    b.para(doc, "", keep_with_next=True)
    b.signatures(doc, [b.SPACE], b.SIGNER)
    return doc


SELF_REVIEW = register(
    DocumentKind(
        key="self_review",
        label=gettext_lazy("Bản kiểm điểm cá nhân"),
        pdf_template="reviews/pdf/self_review.html",
        build_docx=build_self_review,
    )
)
VOTE_SUMMARY = register(
    DocumentKind(
        key="vote_summary",
        label=gettext_lazy("Tổng hợp kết quả biểu quyết xếp loại"),
        pdf_template="reviews/pdf/vote_summary.html",
        build_docx=build_vote_summary,
    )
)
DECISION_LIST = register(
    DocumentKind(
        key="decision_list",
        label=gettext_lazy("Danh sách xếp loại kèm quyết định"),
        pdf_template="reviews/pdf/decision_list.html",
        build_docx=build_decision_list,
    )
)
