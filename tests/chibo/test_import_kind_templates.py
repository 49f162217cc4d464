"""Every kind an office keeps on paper is listed on /nhap/ with a template:
Vietnamese headers, an example row and the "Hướng dẫn" sheet."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chibo.imports import get_kind

pytestmark = pytest.mark.django_db

KINDS = {
    "seats": "cap-uy",
    "community_posts": "chuc-danh-khu-dan-cu",
    "ratings": "xep-loai-cac-nam",
    "attendance": "diem-danh-sinh-hoat",
    "plan": "ke-hoach-sap-xep",
}


def test_the_import_page_lists_every_kind(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("imports:index")).content.decode()
    for name, slug in KINDS.items():
        assert str(get_kind(name).title) in page
        assert reverse("imports:template", args=[slug]) in page


@pytest.mark.parametrize("name", KINDS)
def test_each_template_has_its_headers_an_example_and_a_guide(client, admin_user, name):
    kind = get_kind(name)
    client.force_login(admin_user)
    response = client.get(reverse("imports:template", args=[KINDS[name]]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[2]]
    assert headers == [c.label for c in kind.columns]
    example = [c.value for c in sheet[3]]
    assert any(v not in (None, "") for v in example)
    guide = [[c.value for c in r] for r in book["Hướng dẫn"].iter_rows(min_row=3)]
    assert [r[0] for r in guide[: len(headers)]] == headers
    assert client.get(reverse("imports:start", args=[KINDS[name]])).status_code == 200
