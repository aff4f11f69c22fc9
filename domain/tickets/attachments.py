"""What a ticket accepts as an attachment, judged from the bytes alone.

The type comes from the content's signature, never from the file name or the
Content-Type header a client sends (an executable renamed `.jpg` is refused). Images
(JPEG, PNG, WebP) are decoded in full and written again from their pixels only, turned
upright first: EXIF (the GPS position of a photo among it), XMP and comments are not
copied; the colour profile is, since it is no one's data and the colours need it. HEIC
is refused: Pillow cannot read it without a plug-in. PDFs get a light check (`_check_pdf`).

The checks are pure and CPU-bound: callers run `check_attachment` in a worker thread.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import AsyncIterable
from dataclasses import dataclass

from PIL import Image, ImageOps, JpegImagePlugin

from domain.errors import Invalid
from domain.service_errors import PayloadTooLarge, UnsupportedMediaType

# A photo from a 48-megapixel phone camera fits; decoding more would take ~200 MB a file.
MAX_PIXELS = 50_000_000


# 415 rather than 422: RFC 9110 defines 415 for content the resource does not take,
# "as a result of inspecting the data directly" included; 422 is kept for an accepted
# type whose content is broken or breaks a rule.
class AttachmentTypeRefused(UnsupportedMediaType):
    code = "attachment_type_refused"
    vi = "Loại tệp đính kèm không được chấp nhận"
    en = "This kind of attachment is not accepted"
    vi_detail = ("Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF (loại tệp được xác định từ nội "
                 "dung, không theo tên tệp).")
    en_detail = ("Only JPEG, PNG or WebP images and PDF files are accepted (judged from the "
                 "content, not the file name).")


class AttachmentTooLarge(PayloadTooLarge):
    code = "attachment_too_large"
    vi = "Tệp đính kèm quá lớn"
    en = "The attachment is too large"
    vi_detail = "Tệp đính kèm vượt quá giới hạn {limit} byte."
    en_detail = "The attachment exceeds the {limit}-byte limit."


class ImageTooManyPixels(PayloadTooLarge):
    code = "image_too_many_pixels"
    vi = "Ảnh có độ phân giải quá lớn"
    en = "The image has too many pixels"
    vi_detail = "Ảnh {width}×{height} vượt quá {limit} điểm ảnh; hãy gửi ảnh nhỏ hơn."
    en_detail = "The {width}×{height} image exceeds {limit} pixels; send a smaller one."


class AttachmentDamaged(Invalid):
    code = "attachment_damaged"
    vi = "Tệp đính kèm bị hỏng hoặc không đầy đủ"
    en = "The attachment is damaged or incomplete"
    vi_field = "Không đọc được tệp {kind} này đến hết; hãy gửi lại tệp gốc."
    en_field = "This {kind} file cannot be read to its end; send the original again."


class AttachmentActiveContent(Invalid):
    code = "attachment_active_content"
    vi = "Tệp PDF chứa nội dung có thể thực thi"
    en = "The PDF carries active content"
    vi_field = "Không nhận PDF chứa {feature}; hãy in ra PDF thường rồi gửi lại."
    en_field = "PDFs carrying {feature} are not accepted; print to a plain PDF and send that."


class AttachmentUncheckable(Invalid):
    code = "attachment_uncheckable"
    vi = "Không kiểm tra được nội dung tệp PDF"
    en = "The PDF's content cannot be checked"
    vi_field = ("Tệp PDF này được mã hoá hoặc nén theo cách không kiểm tra được; hãy in ra "
                "PDF thường rồi gửi lại.")
    en_field = ("This PDF is encrypted or compressed in a way that cannot be checked; print "
                "to a plain PDF and send that.")


@dataclass(frozen=True, slots=True)
class Kind:
    media_type: str
    extension: str
    pillow_format: str | None  # None: not an image


JPEG = Kind("image/jpeg", ".jpg", "JPEG")
PNG = Kind("image/png", ".png", "PNG")
WEBP = Kind("image/webp", ".webp", "WEBP")
PDF = Kind("application/pdf", ".pdf", None)


@dataclass(frozen=True, slots=True)
class CheckedAttachment:
    """What to store and how to serve it: the cleaned bytes, never the upload's own."""

    content: bytes
    media_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> Kind | None:
    """The accepted kind whose signature `data` starts with (RFC 2083, RIFF, JFIF/EXIF,
    ISO 32000's `%PDF-x.y`), else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if re.match(rb"%PDF-[12]\.\d", data):
        return PDF
    return None


async def read_limited(chunks: AsyncIterable[bytes], *, max_bytes: int) -> bytes:
    """An upload's bytes, refused as soon as they pass `max_bytes` (never read further)."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        if len(buffer) > max_bytes:
            raise AttachmentTooLarge(limit=max_bytes)
    return bytes(buffer)


def check_attachment(data: bytes, *, max_bytes: int) -> CheckedAttachment:
    """The attachment as it may be stored, or the domain error that refuses it."""
    if len(data) > max_bytes:
        raise AttachmentTooLarge(limit=max_bytes)
    kind = sniff(data)
    if kind is None:
        raise AttachmentTypeRefused()
    if kind is PDF:
        _check_pdf(data)
        return CheckedAttachment(content=data, media_type=kind.media_type,
                                 extension=kind.extension)
    return _clean_image(data, kind)


# What a decoder raises on bytes it cannot make sense of (Pillow documents OSError,
# SyntaxError and ValueError; truncated structures surface as the others).
_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error,
               zlib.error, Image.DecompressionBombError)


def _clean_image(data: bytes, kind: Kind) -> CheckedAttachment:
    assert kind.pillow_format is not None
    damaged = AttachmentDamaged(kind=kind.pillow_format, loc=("body", "file"))
    try:
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageTooManyPixels(width=width, height=height, limit=MAX_PIXELS)
            image.load()  # the whole picture: a truncated file fails here
            try:
                upright = ImageOps.exif_transpose(image)
            except _UNREADABLE:  # a broken EXIF block: the pixels are fine, keep them as is
                upright = image.copy()
            options = _save_options(image, kind)
    except _UNREADABLE:
        raise damaged from None
    # Pixels only: what the savers would copy from `info` (a JPEG's comment, PNG text)
    # goes, the transparency the pixels need stays.
    upright.info = {k: v for k, v in upright.info.items() if k == "transparency"}
    out = io.BytesIO()
    try:
        upright.save(out, format=kind.pillow_format, **options)
    except _UNREADABLE:
        raise damaged from None
    return CheckedAttachment(content=out.getvalue(), media_type=kind.media_type,
                             extension=kind.extension, width=upright.width,
                             height=upright.height)


def _save_options(image: Image.Image, kind: Kind) -> dict:
    options: dict = {}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if kind is JPEG:
        # The original's quantisation tables and chroma subsampling: re-encoding at its
        # own quality loses next to nothing, where a fixed quality could blur or bloat it.
        if getattr(image, "quantization", None):
            options["qtables"] = image.quantization  # type: ignore[attr-defined]
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling != -1:
            options["subsampling"] = sampling
    elif kind is WEBP:
        options["quality"] = 90
    return options


# -- PDF --------------------------------------------------------------------------------
# Names whose objects run code, open other programs or carry files inside the PDF.
_ACTIVE = {b"JavaScript": "JavaScript", b"JS": "JavaScript", b"Launch": "Launch",
           b"EmbeddedFile": "EmbeddedFile", b"EmbeddedFiles": "EmbeddedFile",
           b"RichMedia": "RichMedia", b"XFA": "XFA"}
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_MAX_INFLATED = 64 * 1_048_576  # a small PDF cannot hide a bomb of object streams


def _check_pdf(data: bytes) -> None:
    """ISO 32000's frame (a `%PDF-x.y` header, `startxref` and `%%EOF` at the end: a file
    cut short has no trailer), then no object, plain or inside a compressed object stream,
    names JavaScript, a Launch action, embedded files, RichMedia or XFA forms. Stream
    bodies other than object streams (page content, images) hold no objects and are not
    searched, so their binary bytes raise no false alarm. Not a full parser: a PDF is
    refused when an object stream cannot be read (an unknown filter, encryption)."""
    tail = data[-2048:]
    if b"%%EOF" not in tail[-1024:] or b"startxref" not in tail:
        raise AttachmentDamaged(kind="PDF", loc=("body", "file"))
    inflated = 0
    position = 0
    while match := _STREAM.search(data, position):
        _refuse_active(data[position:match.start()])
        end = data.find(b"endstream", match.end())
        if end < 0:
            raise AttachmentDamaged(kind="PDF", loc=("body", "file"))
        lower = max(position, match.start() - 8192)  # a stream's dictionary is short
        opened = data.rfind(b"obj", lower, match.start())
        head = _unescape(data[opened + 3 if opened >= 0 else lower:match.start()])
        if re.search(rb"/Type\s*/ObjStm", head):
            objects = _inflate(head, data[match.end():end], _MAX_INFLATED - inflated)
            inflated += len(objects)
            _refuse_active(objects)
        position = end + len(b"endstream")
    _refuse_active(data[position:])


def _unescape(text: bytes) -> bytes:
    """`/J#61vaScript` is `/JavaScript` (ISO 32000 7.3.5)."""
    return _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), text)


def _refuse_active(text: bytes) -> None:
    for match in _NAME.finditer(text):
        feature = _ACTIVE.get(_unescape(match.group(1)))
        if feature is not None:
            raise AttachmentActiveContent(feature=feature, loc=("body", "file"))


def _inflate(head: bytes, body: bytes, budget: int) -> bytes:
    """An object stream's objects; unreadable ones are refused, since what cannot be read
    cannot be checked."""
    filters = re.search(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)", head)
    unchecked = AttachmentUncheckable(loc=("body", "file"))
    if filters is None:
        return body
    if budget <= 0:  # zlib reads a max_length of 0 as no limit at all
        raise unchecked
    if re.sub(rb"[\s\[\]]", b"", filters.group(1)) != b"/FlateDecode" or b"/DecodeParms" in head:
        raise unchecked
    inflater = zlib.decompressobj()
    try:
        objects = inflater.decompress(body, budget)
    except zlib.error:
        raise unchecked from None
    if inflater.unconsumed_tail:
        raise unchecked  # over the budget: a decompression bomb, or a PDF too big to check
    return objects
