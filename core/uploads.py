"""Attachment checks: images and PDFs only, recognised by their content, not their name. Shared by
intake (claims, held uploads), feedback and cases (联办任务 replies); ``intake.uploads`` re-exports it."""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from core.errors import ServiceError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 9
MAX_PIXELS = 40_000_000  # 40 megapixels: any phone photo; a 20000×20000 "bomb" is refused

# (magic prefix, offset, content type, extension)
_SIGNATURES = [
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
]


class UploadError(ServiceError, ValueError):
    """A file the claim cannot take; still a ``ValueError`` for callers that catch that."""


@dataclass
class CheckedUpload:
    original_name: str
    content_type: str
    extension: str
    size: int
    sha256: str
    content: bytes

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.{self.extension}")


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, offset, content_type, extension in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and head[:4] != b"RIFF":
                continue
            return content_type, extension
    return None


def _pixels(content: bytes) -> int | None:
    """Width × height from the image header (Pillow's ``open`` does not decode the pixels);
    ``None`` when Pillow cannot read the header (the signature check already passed)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return MAX_PIXELS + 1
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return width * height


def check_uploads(files) -> list[CheckedUpload]:
    """Validate a list of uploaded files; raise ``UploadError`` naming the first bad one."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise UploadError(_("最多上传 %(n)s 个附件，您选择了 %(m)s 个。") % {"n": MAX_FILES, "m": len(files)})
    checked = []
    for upload in files:
        name = (getattr(upload, "name", "") or "附件")[:200]
        if upload.size > MAX_BYTES:
            raise UploadError(_("“%(name)s”超过 10 MB，请压缩后再上传。") % {"name": name})
        if upload.size == 0:
            raise UploadError(_("“%(name)s”是空文件。") % {"name": name})
        content = upload.read()
        kind = sniff(content[:16])
        if kind is None:
            raise UploadError(_("“%(name)s”不是图片（JPG、PNG、GIF、WebP）或 PDF 文件。") % {"name": name})
        if kind[0].startswith("image/") and (_pixels(content) or 0) > MAX_PIXELS:
            raise UploadError(_("“%(name)s”的图片尺寸过大（超过 4000 万像素），请缩小后再上传。") % {"name": name})
        checked.append(
            CheckedUpload(
                original_name=name,
                content_type=kind[0],
                extension=kind[1],
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
            )
        )
    return checked


def stored_upload_response(item):
    """The HTTP answer for a stored upload (``item.file``, ``content_type``, ``is_image``,
    ``original_name``), once the caller has checked who may see it: only an image is shown in the
    browser (with a CSP that lets it run nothing); anything else — a PDF that may carry
    /OpenAction JavaScript — is downloaded, never opened in our origin. A file gone from the
    storage is a 404."""
    from django.http import FileResponse, Http404

    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=item.content_type, as_attachment=not item.is_image, filename=item.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
