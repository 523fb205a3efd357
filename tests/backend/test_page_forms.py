"""Page forms draw a plain select in one pass (``LongSelect``), as Django's own Select
would draw it: the same markup, attributes, escaping and chosen option."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from backend.pages import LongSelect, PageForm

CHOICES = [("", "All"), ("1", "Ward 7 & 8"), ("2", "<Theatres>"), ("3", "Ward 7 & 8")]


class Filters(PageForm):
    refuses_nhs_numbers = False
    unit = forms.ChoiceField(label="Ward or team", choices=CHOICES, help_text="Where you work")
    grouped = forms.ChoiceField(
        label="Grouped", required=False, choices=[("Medicine", [("a", "Ward A")])]
    )


class DjangoFilters(Filters):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.__class__ = forms.Select


def html(form_class, data=None, name="unit"):
    return str(form_class(data)[name])


@pytest.mark.parametrize("data", [None, {"unit": "1"}, {"unit": "2"}, {"unit": "9"}, {}])
def test_a_page_forms_select_is_drawn_as_djangos_would_be(data):
    form = Filters(data)
    assert isinstance(form.fields["unit"].widget, LongSelect)
    # The same elements, attributes and text; whitespace and attribute order aside.
    assert parse_html(html(Filters, data)) == parse_html(html(DjangoFilters, data))


def test_a_select_with_option_groups_is_left_to_django():
    assert parse_html(html(Filters, name="grouped")) == parse_html(
        html(DjangoFilters, name="grouped")
    )
    assert "<optgroup" in html(Filters, name="grouped")


def test_the_select_keeps_the_nhs_classes_and_escapes_labels():
    drawn = html(Filters, {"unit": ""})
    assert 'class="nhsuk-select nhsuk-select--error"' in drawn
    assert "&lt;Theatres&gt;" in drawn and "Ward 7 &amp; 8" in drawn
