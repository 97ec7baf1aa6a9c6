"""Which uploads are photos: judged by their bytes, refused whole."""
from __future__ import annotations

import pytest

from cases.photos import PhotoRefused, Upload, check, content_type_of
from tests.support.pictures import jpeg_start, png

WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.mark.parametrize(("head", "kind"), [
    (png(), "image/png"), (jpeg_start(), "image/jpeg"), (WEBP, "image/webp"),
    (b"GIF89a....", None), (b"%PDF-1.7", None), (b"<svg xmlns=", None), (b"RIFF\x00\x00\x00\x00WAVE", None),
])
def test_a_photo_is_known_by_its_first_bytes(head, kind):
    assert content_type_of(head[:16]) == kind


def test_the_name_sent_is_kept_without_its_folders_and_the_type_comes_from_the_bytes():
    [photo] = check([Upload("C:\\Users\\张三\\现场.pdf", png())], max_bytes=10_000)
    assert (photo.name, photo.content_type, photo.extension) == ("现场.pdf", "image/png", ".png")


@pytest.mark.parametrize(("uploads", "code", "name"), [
    ([Upload("a.png", png()), Upload("notes.txt", b"hello")], "not_a_photo", "notes.txt"),
    ([Upload("empty.jpg", b"")], "empty", "empty.jpg"),
    ([Upload("big.jpg", jpeg_start(2048))], "too_large", "big.jpg"),
    ([Upload("cut.jpg", jpeg_start(1000), truncated=True)], "too_large", "cut.jpg"),
    ([Upload(f"{n}.png", png()) for n in range(7)], "too_many", None),
])
def test_one_bad_upload_refuses_the_batch_and_names_it(uploads, code, name):
    with pytest.raises(PhotoRefused) as refused:
        check(uploads, max_bytes=1024)
    assert (refused.value.code, refused.value.name) == (code, name)
