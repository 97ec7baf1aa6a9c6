"""Which uploads are photos the centre keeps with a case.

Pure domain code: an upload is judged by its first bytes, not by the name
or the type the browser claims, so a renamed file is refused and a phone's
camera file is accepted whatever it is called.  ``check`` refuses the whole
batch when one upload is wrong, so an inspector's report is kept whole or
not at all.
"""
from __future__ import annotations

from dataclasses import dataclass

# What a phone's browser uploads from its camera or gallery, and the file
# ending each is kept under.
KINDS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
MAX_PER_REPORT = 6


@dataclass(frozen=True)
class Upload:
    name: str | None
    data: bytes
    # True when the sender had more than ``max_bytes`` and only the start was read.
    truncated: bool = False


@dataclass(frozen=True)
class Photo:
    name: str | None
    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return KINDS[self.content_type]


class PhotoRefused(ValueError):
    """An upload is not a photo the centre keeps.  ``code``: empty,
    too_large, not_a_photo or too_many; ``name`` the file's name."""

    def __init__(self, code: str, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.code, self.name = code, name


def content_type_of(head: bytes) -> str | None:
    """The photo type these first bytes begin, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check(uploads: list[Upload], max_bytes: int, max_count: int = MAX_PER_REPORT) -> list[Photo]:
    """The uploads as photos, or ``PhotoRefused`` for the first that is not one."""
    if len(uploads) > max_count:
        raise PhotoRefused("too_many", f"at most {max_count} photos at a time, not {len(uploads)}")
    photos = []
    for upload in uploads:
        name = _name(upload.name)
        if not upload.data:
            raise PhotoRefused("empty", f"{name or 'a file'} is empty", name)
        if upload.truncated or len(upload.data) > max_bytes:
            raise PhotoRefused("too_large", f"{name or 'a photo'} is larger than {max_bytes // 1024} KB", name)
        kind = content_type_of(upload.data[:16])
        if kind is None:
            raise PhotoRefused("not_a_photo", f"{name or 'a file'} is not a JPEG, PNG or WebP photo", name)
        photos.append(Photo(name, upload.data, kind))
    return photos


def _name(name: str | None) -> str | None:
    """The file's own name, without any folder a browser sends, cut short."""
    if not name:
        return None
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or None
