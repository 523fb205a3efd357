""" "Has this been tried before?": three of each in view, the rest behind "Show N more"."""

from types import SimpleNamespace

from django.template.loader import render_to_string


def _change(number: int) -> dict:
    return {
        "url": f"/learning/ideas/{number}/",
        "title": f"Change {number}",
        "outcome": "adopted",
        "outcome_label": "Adopted",
        "unit_name": "Ward 7",
        "project_title": "Falls huddle",
        "learning": "",
    }


def _similar(number: int) -> SimpleNamespace:
    project = SimpleNamespace(
        pk=number,
        title=f"Project {number}",
        unit=SimpleNamespace(name="Ward 7"),
        get_status_display="Active",
    )
    return SimpleNamespace(project=project, reasons=["the same kind of place (Ward)"])


def test_three_of_each_show_and_the_rest_wait_behind_show_more():
    html = render_to_string(
        "projects/includes/tried_before.html",
        {"similar": [_similar(n) for n in range(1, 6)], "tried": [_change(n) for n in range(1, 5)]},
    )
    shown, hidden = html.split("<details", 1)[0], html.split("<details", 1)[1]
    assert "Project 3" in shown and "Project 4" not in shown
    assert "Show 2 more similar projects" in html
    assert "Show 1 more change<" in html
    assert html.count("<details") == 2
    assert "Project 5" in hidden and "Change 4" in hidden


def test_three_or_fewer_need_no_show_more():
    html = render_to_string(
        "projects/includes/tried_before.html",
        {"similar": [_similar(1)], "tried": [_change(n) for n in range(1, 4)]},
    )
    assert "<details" not in html and "Change 3" in html
