"""Photos and documents people attach to their work (a new form, a poster, a photo of the
huddle board): checked, cleaned, stored and served one way for every app.

- Only images (JPEG, PNG, WebP) and PDFs, recognised by their content, never by their
  name or the type the browser claims; at most ``RIPPLE_MAX_UPLOAD_MB``.
- Every image is decoded and saved again with Pillow, which drops its metadata (EXIF,
  the GPS location, XMP, comments) and turns it the way the camera held it, so nothing
  the camera recorded leaves with it; a small copy is kept for pages on a phone.
- Stored through Django's storage API (``STORAGES["default"]``: the file system in the
  embedded mode, an S3-compatible store via django-storages in production), under a
  random name, never at a public address: the apps serve files through a view that
  checks the reader may see the record (``file_response``).
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.text import get_valid_filename
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.pages import PageForm
from backend.validators import NHS_NUMBER_MESSAGE, contains_nhs_number

# Formats Pillow recognises that a phone or a desk produces, and how each is stored.
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# A photo from a phone is about 4,000 pixels across; anything far beyond is not a photo.
MAX_PIXELS = 50_000_000
# The longest side of a stored image (a phone's photo shrinks to this) and of its preview.
LARGEST_SIDE = 2560
PREVIEW_SIDE = 480
PDF_MAGIC = b"%PDF-"
NOT_ALLOWED = "Choose a photo (JPEG, PNG or WebP) or a PDF. Other files cannot be attached."


def max_upload_mb() -> int:
    return settings.RIPPLE_MAX_UPLOAD_MB


def max_upload_bytes() -> int:
    return max_upload_mb() * 1024 * 1024


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the checks, ready to store."""

    content: bytes
    extension: str
    content_type: str
    kind: str  # "image" or "pdf"
    width: int | None = None
    height: int | None = None
    preview: bytes | None = None


def _refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > max_upload_bytes():
        raise _too_big()
    upload.seek(0)
    data = upload.read(max_upload_bytes() + 1)
    if len(data) > max_upload_bytes():
        raise _too_big()
    if not data:
        raise _refuse("The file is empty. Choose the photo or PDF again.")
    return data


def _too_big() -> ValidationError:
    limit = settings.RIPPLE_MAX_UPLOAD_MB
    return _refuse(f"The file must be smaller than {limit} MB.", "too_big")


def _pdf(data: bytes) -> CleanFile:
    # The header may follow a little leading junk (the format allows 1,024 bytes of it);
    # a complete file ends with an end-of-file marker.
    if PDF_MAGIC not in data[:1024] or b"%%EOF" not in data[-2048:]:
        raise _refuse("This PDF looks damaged or incomplete. Save it again and retry.")
    return CleanFile(content=data, extension="pdf", content_type="application/pdf", kind="pdf")


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _image(data: bytes) -> CleanFile:
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not merely warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                if image_format not in IMAGE_FORMATS:
                    raise _refuse(NOT_ALLOWED, "unsupported")
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refuse("This image is too large. Send a photo, not a scan.", "too_big")
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                # Upright as the camera held it, then a fresh image: nothing of the original
                # file's metadata (EXIF, GPS, XMP, comments) is carried across.
                upright = ImageOps.exif_transpose(opened)
                mode = (
                    "RGBA"
                    if upright.mode in ("RGBA", "LA", "P") and image_format != "JPEG"
                    else "RGB"
                )
                clean = Image.new(mode, upright.size)
                clean.paste(upright.convert(mode))
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(NOT_ALLOWED, "unsupported") from None
    except (OSError, SyntaxError, ValueError):
        raise _refuse("This image looks damaged. Take or save it again and retry.") from None
    clean.thumbnail((LARGEST_SIDE, LARGEST_SIDE))
    content_type, extension = IMAGE_FORMATS[image_format]
    preview = clean.copy()
    preview.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    return CleanFile(
        content=_encode(clean, image_format),
        extension=extension,
        content_type=content_type,
        kind="image",
        width=clean.width,
        height=clean.height,
        preview=_encode(preview.convert("RGB"), "JPEG"),
    )


def clean_upload(upload: UploadedFile) -> CleanFile:
    """Check an upload by its content and clean it: a PDF as it is, an image decoded and
    saved again without its metadata. Refusals are a ``ValidationError`` on ``file``."""
    data = _read(upload)
    if data[:1024].find(PDF_MAGIC) != -1:
        return _pdf(data)
    return _image(data)


def display_name(name: str) -> str:
    """The name a file is shown and downloaded under: the uploader's, made safe."""
    stem = PurePath(name or "file").name
    return (get_valid_filename(stem) or "file")[:200]


def _stored_name(instance: Attachment, filename: str) -> str:
    # A random name: the uploader's name (which may say anything) is kept apart, for show.
    return f"attachments/{instance._meta.app_label}/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    """A photo or document attached to a record; the apps make one per thing it hangs on
    (a project's in ``projects``, a cycle's in ``pdsa``)."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Photo"
        PDF = "pdf", "PDF"

    file = models.FileField(upload_to=_stored_name, max_length=300)
    preview = models.FileField(upload_to=_stored_name, max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(max_length=200, help_text="The name it was uploaded under.")
    caption = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.caption or self.name


def attach(attachment: Attachment, *, upload: UploadedFile, caption: str) -> Attachment:
    """Check ``upload``, store it (and an image's preview) and save ``attachment`` with
    it; ``attachment`` carries its owner and uploader. Refusals name ``file`` or
    ``caption``; a save that fails removes the stored files again."""
    caption = caption.strip()
    for field, text in (("caption", caption), ("file", upload.name or "")):
        if contains_nhs_number(text):
            raise ValidationError({field: ValidationError(NHS_NUMBER_MESSAGE, code="nhs_number")})
    clean = clean_upload(upload)
    key = uuid.uuid4().hex
    attachment.kind = clean.kind
    attachment.content_type = clean.content_type
    attachment.size = len(clean.content)
    attachment.width, attachment.height = clean.width, clean.height
    attachment.name = display_name(upload.name or f"file.{clean.extension}")
    attachment.caption = caption
    attachment.file.save(f"{key}.{clean.extension}", ContentFile(clean.content), save=False)
    if clean.preview is not None:
        attachment.preview.save(f"{key}-preview.jpg", ContentFile(clean.preview), save=False)
    try:
        attachment.save()
    except BaseException:
        # The row was not saved, so nothing will ever point at the files. (A rollback of
        # the caller's transaction after this would leave them behind, under random names
        # no one can reach.)
        for name in (attachment.file.name, attachment.preview.name):
            if name:
                attachment.file.storage.delete(name)
        raise
    return attachment


def detach(attachment: Attachment) -> None:
    """Delete ``attachment`` and, once that commits, its stored files."""
    names = [name for name in (attachment.file.name, attachment.preview.name) if name]
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def file_response(attachment: Attachment, *, preview: bool = False) -> FileResponse:
    """Serve an attachment the caller has checked the reader may see: its own type (never
    one the browser guesses), privately cached, and a PDF in a sandbox so it runs nothing."""
    stored = attachment.preview if preview and attachment.preview else attachment.file
    content_type = "image/jpeg" if stored is attachment.preview else attachment.content_type
    response = FileResponse(
        stored.storage.open(stored.name, "rb"),
        content_type=content_type,
        as_attachment=False,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


class AttachmentForm(PageForm):
    """Attach a photo or a PDF, with a few words about it."""

    file = forms.FileField(
        label="Photo or PDF",
        help_text="A photo (JPEG, PNG or WebP) or a PDF.",
        error_messages={
            "required": "Choose a photo or a PDF",
            "empty": "The file is empty. Choose the photo or PDF again.",
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )
    caption = forms.CharField(
        label="What is it? (optional)",
        max_length=300,
        required=False,
        help_text="Such as “The new handover sheet” or “Huddle board, week 2”.",
        error_messages={"max_length": "Keep the description to 300 characters or fewer"},
    )
