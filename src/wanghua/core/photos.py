"""Photos people upload (receipts, evidence, a resident's report): checked by their content, not their name."""

from __future__ import annotations

import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# A phone's camera takes up to about 50 megapixels. A file can claim far more in a few bytes (a 40000×40000
# PNG fits in under 1 KB) and would take gigabytes to decode: such a "decompression bomb" is refused by its
# header, before any pixel is read. Pillow's own guard (which every other reader of images meets, e.g.
# Django's ImageField) is set to the same figure.
MAX_PHOTO_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def photo_format(upload: UploadedFile[bytes], field: str = "image") -> str:
    """The file's real format, read from its content (the name and the browser's type can lie)."""
    if upload.size > MAX_PHOTO_BYTES:  # type: ignore[operator]  # an upload has its size (the stubs allow None)
        raise ValidationError({field: _("The photo is larger than 5 MB.")})
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.width * image.height > MAX_PHOTO_PIXELS:
                    raise Image.DecompressionBombError(f"{image.width}×{image.height}")
                image.verify()
                kind = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError({field: _("The photo has too many pixels (at most %(count)s million).")
                               % {"count": MAX_PHOTO_PIXELS // 1_000_000}}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: _("The file is not a JPEG, PNG or WebP photo.")}) from exc
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError({field: _("The file is not a JPEG, PNG or WebP photo.")})
    return PHOTO_FORMATS[kind]
