"""Counts and dates written the one way every page and message uses."""

from datetime import date

from backend.words import day, plural


def test_a_count_agrees_with_its_noun_and_groups_thousands():
    assert plural(1, "project") == "1 project"
    assert plural(1204, "project") == "1,204 projects"
    assert plural(2, "person", "people") == "2 people"


def test_a_date_has_no_leading_zero():
    assert day(date(2026, 3, 5)) == "5 Mar 2026"
