from django.core.management import call_command


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path, db):
    # drf-spectacular raises on any warning (a view it cannot describe, a name clash).
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "s.yml"))

    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")
