"""Photos and documents: only images and PDFs, known by their content; no metadata left in
an image; a size limit; stored through the storage API and removed with their record."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from backend.errors import ApplicationError
from backend.models import Membership
from backend.uploads import NOT_ALLOWED, clean_upload
from projects.models import ProjectFile, ProjectMember
from projects.services import project_file_add, project_file_remove
from tests.factories import ProjectFactory, ProjectMemberFactory

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def photo_with_location(*, width: int = 60, height: int = 40) -> bytes:
    """A JPEG as a phone saves it: its maker, where it was taken, and held on its side."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = 6  # the camera was turned: the picture must be rotated 90 degrees
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_a_photo_loses_its_location_and_camera_and_is_turned_upright():
    original = photo_with_location()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test photo does carry a location

    clean = clean_upload(upload(original))

    with Image.open(io.BytesIO(clean.content)) as after:
        assert after.format == "JPEG"
        assert dict(after.getexif()) == {}
        assert "exif" not in after.info
        assert after.size == (40, 60)  # turned as the camera was held
    assert (clean.kind, clean.content_type, clean.extension) == ("image", "image/jpeg", "jpg")
    assert clean.preview is not None


def test_text_in_a_png_is_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ward 7 sister")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)

    clean = clean_upload(upload(out.getvalue(), "board.png", "image/png"))

    with Image.open(io.BytesIO(clean.content)) as after:
        assert "Author" not in after.info
        assert after.mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "name", "claimed"),
    [
        (b"name,nhs number\nJo,9434765919\n", "photo.jpg", "image/jpeg"),
        (b"MZ\x90\x00 an executable", "poster.pdf", "application/pdf"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "board.gif", "image/gif"),
    ],
)
def test_anything_but_an_image_or_a_pdf_is_refused_whatever_its_name(data, name, claimed):
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(data, name, claimed))
    assert refused.value.message_dict["file"] == [NOT_ALLOWED]


def test_a_pdf_is_kept_as_it_is_and_a_damaged_one_refused():
    clean = clean_upload(upload(MINIMAL_PDF, "new-form.pdf", "application/pdf"))
    assert (clean.kind, clean.content, clean.preview) == ("pdf", MINIMAL_PDF, None)

    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(MINIMAL_PDF[:60], "new-form.pdf", "application/pdf"))
    assert "damaged" in refused.value.message_dict["file"][0]


def test_a_file_over_the_limit_is_refused(settings):
    settings.RIPPLE_MAX_UPLOAD_MB = 1

    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(MINIMAL_PDF + b"0" * 1024 * 1024, "big.pdf", "application/pdf"))
    assert refused.value.message_dict["file"] == ["The file must be smaller than 1 MB."]


@pytest.fixture
def project(organisation, ward):
    return ProjectFactory(organisation=organisation, unit=ward)


@pytest.mark.django_db
def test_the_team_attaches_a_photo_stored_privately_and_removed_with_its_record(
    member, project, django_capture_on_commit_callbacks
):
    nurse = member(Membership.Role.FRONTLINE)
    ProjectMemberFactory(project=project, user=nurse, role=ProjectMember.Role.MEMBER)

    attached = project_file_add(
        by=nurse, project=project, upload=upload(photo_with_location()), caption="Huddle board"
    )

    assert (attached.kind, attached.caption, attached.name, attached.uploaded_by) == (
        "image",
        "Huddle board",
        "photo.jpg",
        nurse,
    )
    stored = [attached.file.name, attached.preview.name]
    assert all(default_storage.exists(name) for name in stored)
    assert "photo" not in attached.file.name  # stored under a name of its own
    with default_storage.open(attached.file.name) as kept, Image.open(kept) as image:
        assert dict(image.getexif()) == {}

    with django_capture_on_commit_callbacks(execute=True):
        project_file_remove(by=nurse, attachment=attached)
    assert not ProjectFile.objects.exists()
    assert not any(default_storage.exists(name) for name in stored)
    assert ProjectFile.history.filter(history_type="-").get().history_user == nurse


@pytest.mark.django_db
def test_only_the_team_attaches_and_a_caption_with_an_nhs_number_is_refused(member, project):
    outsider = member(Membership.Role.FRONTLINE)
    with pytest.raises(ApplicationError) as refused:
        project_file_add(by=outsider, project=project, upload=upload(photo_with_location()))
    assert refused.value.status_code == 403

    nurse = member(Membership.Role.FRONTLINE)
    ProjectMemberFactory(project=project, user=nurse)
    with pytest.raises(ValidationError) as refused:
        project_file_add(
            by=nurse,
            project=project,
            upload=upload(photo_with_location()),
            caption="Board for 943 476 5919",
        )
    assert "caption" in refused.value.message_dict
    assert not ProjectFile.objects.exists()
