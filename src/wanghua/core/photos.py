"""Photos people upload (receipts, evidence, a resident's report): checked by their content, not their name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def photo_format(upload, field: str = "image") -> str:
    """The file's real format, read from its content (the name and the browser's type can lie)."""
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({field: _("The photo is larger than 5 MB.")})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: _("The file is not a JPEG, PNG or WebP photo.")}) from exc
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError({field: _("The file is not a JPEG, PNG or WebP photo.")})
    return PHOTO_FORMATS[kind]
