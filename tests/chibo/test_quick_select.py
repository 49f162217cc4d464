"""chibo.forms.QuickSelect draws exactly what Django's Select draws through
its templates, so a filter drawn the quick way looks the same."""

import pytest
from django import forms

from chibo.forms import QuickSelect
from members.forms import MemberFilterForm

CHOICES = [("", "Tất cả"), ("a&b", '<Có> & "không"'), (3, "Ba"), (None, "Không rõ")]


def both(value, attrs=None, choices=CHOICES):
    quick = QuickSelect(choices=choices).render("kind", value, attrs)
    slow = forms.Select(choices=choices).render("kind", value, attrs)
    return quick, slow


@pytest.mark.parametrize("value", [None, "", "a&b", 3, "3", "missing"])
def test_a_quick_select_draws_what_a_select_draws_whatever_is_chosen(value):
    quick, slow = both(value, {"id": "id_kind", "aria-invalid": "true", "required": True})
    assert quick == slow
    assert "&lt;Có&gt; &amp; &quot;không&quot;" in quick


def test_a_quick_select_leaves_false_attributes_out_like_a_select():
    quick, slow = both("", {"id": "id_kind", "disabled": False, "autofocus": True})
    assert quick == slow
    assert "disabled" not in quick and " autofocus" in quick


def test_grouped_choices_are_drawn_the_usual_way():
    grouped = [("Nhóm <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]
    quick, slow = both("y", choices=grouped)
    assert quick == slow
    assert "<optgroup" in quick


def test_the_member_filters_draw_as_they_did(db):
    """Every select of the member list's filters, bound with an error and
    unbound, against the same form with Django's Select."""
    data = {"q": "nguyen", "status": "nonsense", "gender": "female", "exempt": "yes"}
    for form in (MemberFilterForm(data), MemberFilterForm()):
        form.is_valid()
        for name, field in form.fields.items():
            if not isinstance(field.widget, QuickSelect):
                continue
            quick = str(form[name])
            field.widget = forms.Select(choices=field.choices)
            assert quick == str(form[name]), name
