"""A committee's own .docx templates: uploaded by an administrator, used by the
committee and every unit under it, refused when broken, retired back to the
default; the default of every kind downloads from the admin page."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from chibo.errors import ServiceError
from documents import kinds
from documents.models import DocumentTemplate
from documents.render import default_docx
from documents.services import document_template_retire, document_template_upload
from tests.document_text import docx_text, pdf_pages
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db


def _own_template(line: str) -> bytes:
    doc = Document(io.BytesIO(default_docx("resolution")))
    doc.paragraphs[0].insert_paragraph_before(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _upload(data: bytes, name="mau.docx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def meetings(tree):
    return (
        take_attendance(make_meeting(tree.cell1a, held_on=date(2026, 3, 12))),
        take_attendance(make_meeting(tree.cell2a, held_on=date(2026, 3, 12))),
    )


def test_every_kind_has_a_default_that_the_admin_downloads(client, admin_user):
    client.force_login(admin_user)
    keys = {k.key for k in kinds.all_kinds()}
    assert {"minutes", "resolution"} <= keys
    for key in keys:
        response = client.get(f"/quan-tri/documents/documenttemplate/mac-dinh/{key}/")
        assert response.status_code == 200
        assert "{{" in docx_text(response.content)  # a template, with its tags


def test_an_uploaded_template_serves_its_committee_and_the_cells_under_it(
    tree, meetings, client, admin_user, ward1_staff, ward2_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    response = client.post(
        "/quan-tri/documents/documenttemplate/add/",
        {
            "unit": tree.ward1.pk,
            "kind": "resolution",
            "file": _upload(_own_template("MẪU RIÊNG CỦA PHƯỜNG MỘT – {{ c.unit }}")),
            "note": "Mẫu có logo",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = DocumentTemplate.objects.get()
    assert template.uploaded_by == admin_user and template.in_use
    ours, theirs = meetings
    client.force_login(ward1_staff)
    text = docx_text(client.get(f"/sinh-hoat/{ours.pk}/nghi-quyet.docx").content)
    assert "MẪU RIÊNG CỦA PHƯỜNG MỘT – Chi bộ khu phố 1" in text
    client.force_login(ward2_staff)
    assert "MẪU RIÊNG" not in docx_text(
        client.get(f"/sinh-hoat/{theirs.pk}/nghi-quyet.docx").content
    )
    # the PDF, the record, is the same whatever the template
    client.force_login(ward1_staff)
    pdf = " ".join(pdf_pages(client.get(f"/sinh-hoat/{ours.pk}/nghi-quyet.pdf").content))
    assert "MẪU RIÊNG" not in pdf and "QUYẾT NGHỊ" in pdf

    document_template_retire(actor=admin_user, template=template)
    text = docx_text(client.get(f"/sinh-hoat/{ours.pk}/nghi-quyet.docx").content)
    assert "MẪU RIÊNG" not in text and "QUYẾT NGHỊ" in text


def test_a_new_upload_retires_the_one_before(tree, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = document_template_upload(
        actor=admin_user, unit=tree.ward1, kind="minutes", file=_upload(default_docx("minutes"))
    )
    second = document_template_upload(
        actor=admin_user, unit=tree.ward1, kind="minutes", file=_upload(default_docx("minutes"))
    )
    first.refresh_from_db()
    assert not first.in_use and first.retired_by == admin_user and second.in_use
    assert DocumentTemplate.objects.count() == 2  # nothing overwritten


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.4 not a docx", "không phải tệp Word .docx"),
        (b"PK\x03\x04broken", "hỏng hoặc không phải văn bản Word"),
        ("broken-tag", "có thẻ viết sai"),
    ],
)
def test_a_broken_template_is_refused_with_a_message(
    tree, admin_user, client, settings, tmp_path, data, message
):
    settings.MEDIA_ROOT = tmp_path
    if data == "broken-tag":
        data = _own_template("{{ c.unit ")
    with pytest.raises(ServiceError) as refused:
        document_template_upload(
            actor=admin_user, unit=tree.ward1, kind="minutes", file=_upload(data)
        )
    assert message in refused.value.messages[0]
    client.force_login(admin_user)
    page = client.post(
        "/quan-tri/documents/documenttemplate/add/",
        {"unit": tree.ward1.pk, "kind": "minutes", "file": _upload(data)},
    ).content.decode()
    assert message in page
    assert not DocumentTemplate.objects.exists()


def test_a_template_is_set_for_a_committee_not_a_cell(tree, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ServiceError) as refused:
        document_template_upload(
            actor=admin_user,
            unit=tree.cell1a,
            kind="minutes",
            file=_upload(default_docx("minutes")),
        )
    assert "không phải cấp ủy" in refused.value.messages[0]
