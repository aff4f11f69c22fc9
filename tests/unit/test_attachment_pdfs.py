"""PDF attachments: plain ones pass unchanged; JavaScript, launch actions, embedded files,
RichMedia and XFA are refused however they are spelled or packed; a cut file is damaged."""

from __future__ import annotations

import io
import os
import zlib

import pytest
from PIL import Image

from domain.tickets.attachments import (
    AttachmentActiveContent,
    AttachmentDamaged,
    AttachmentUncheckable,
    check_attachment,
)

LIMIT = 10 * 1_048_576
PAGE = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>")


def pdf(*objects: bytes, catalog: bytes = b"") -> bytes:
    """A PDF with a catalog (`catalog` added to its dictionary), a page tree, one page and
    `objects` after them, its xref table and trailer at the right offsets."""
    content = b"BT /F1 12 Tf 10 10 Td (Xin chao) Tj ET"
    bodies = [b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE,
              b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content), *objects]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, xref)
    return bytes(out)


def object_stream(*objects: bytes, filters: bytes = b"/Filter /FlateDecode",
                  packed: bytes | None = None) -> bytes:
    """An object stream (PDF 1.5) holding `objects` as objects 10, 11, ..."""
    index, body = b"", b""
    for number, obj in enumerate(objects, start=10):
        index += b"%d %d " % (number, len(body))
        body += obj + b" "
    raw = index + body
    data = packed if packed is not None else (zlib.compress(raw) if filters else raw)
    return (b"<< /Type /ObjStm /N %d /First %d %s /Length %d >>\nstream\n%s\nendstream"
            % (len(objects), len(index), filters, len(data), data))


def test_a_pdf_written_by_pillow_passes_unchanged():
    out = io.BytesIO()
    Image.new("RGB", (100, 140), "white").save(out, "PDF")
    checked = check_attachment(out.getvalue(), max_bytes=LIMIT)
    assert (checked.media_type, checked.extension) == ("application/pdf", ".pdf")
    assert checked.content == out.getvalue()


def test_a_plain_pdf_with_binary_streams_passes():
    # Compressed pixels can hold any bytes, "/JS" among them: stream bodies are not
    # searched for names, so a scan of a paper form is not refused by chance.
    noise = os.urandom(4000) + b" /JS /Launch /EmbeddedFile " + os.urandom(4000)
    image = b"<< /Type /XObject /Subtype /Image /Length %d >>\nstream\n%s\nendstream" % (
        len(noise), noise)
    upload = pdf(image, object_stream(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"))
    assert check_attachment(upload, max_bytes=LIMIT).content == upload


ACTIVE = {
    "open_action_javascript": (
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", (), "JavaScript"),
    "names_javascript": (b"/Names << /JavaScript 5 0 R >>", (), "JavaScript"),
    "hex_escaped_name": (b"/OpenAction << /S /J#61vaScript /J#53 (x) >>", (), "JavaScript"),
    "launch_action": (b"/OpenAction << /S /Launch /F (cmd.exe) >>", (), "Launch"),
    "embedded_file": (b"/Names << /EmbeddedFiles 5 0 R >>", (), "EmbeddedFile"),
    "rich_media": (b"", (b"<< /Type /Annot /Subtype /RichMedia >>",), "RichMedia"),
    "xfa_form": (b"/AcroForm << /XFA 5 0 R >>", (), "XFA"),
    "javascript_in_an_object_stream": (
        b"/OpenAction 10 0 R",
        (object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),), "JavaScript"),
    "object_stream_type_hex_escaped": (
        b"", (object_stream(b"<< /S /Launch >>").replace(b"/ObjStm", b"/Obj#53tm"),),
        "Launch"),
    "uncompressed_object_stream": (
        b"", (object_stream(b"<< /S /JavaScript >>", filters=b""),), "JavaScript"),
}


@pytest.mark.parametrize(("catalog", "objects", "feature"), ACTIVE.values(), ids=ACTIVE.keys())
def test_active_content_is_refused(catalog, objects, feature):
    upload = pdf(*objects, catalog=catalog)
    with pytest.raises(AttachmentActiveContent) as caught:
        check_attachment(upload, max_bytes=LIMIT)
    assert caught.value.status == 422 and caught.value.params["feature"] == feature
    assert feature in caught.value.message("en") and feature in caught.value.message("vi")


UNCHECKABLE = {
    "unknown_filter": object_stream(b"<< /S /JavaScript >>", filters=b"/Filter /LZWDecode",
                                    packed=b"\x80\x0b\x60\x50"),
    "filter_chain": object_stream(b"<< >>", filters=b"/Filter [/ASCIIHexDecode /FlateDecode]"),
    "encrypted_or_garbage": object_stream(b"<< >>", packed=os.urandom(300)),
    "decompression_bomb": object_stream(b"<< >>", packed=zlib.compress(bytes(80 * 1_048_576))),
}


@pytest.mark.parametrize("stream", UNCHECKABLE.values(), ids=UNCHECKABLE.keys())
def test_an_object_stream_that_cannot_be_read_is_refused(stream):
    with pytest.raises(AttachmentUncheckable) as caught:
        check_attachment(pdf(stream), max_bytes=LIMIT)
    assert caught.value.status == 422 and caught.value.code == "attachment_uncheckable"


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_truncated_pdf_is_refused(keep):
    upload = pdf(object_stream(b"<< /Type /Font >>"))
    check_attachment(upload, max_bytes=LIMIT)  # control: whole, it passes
    with pytest.raises(AttachmentDamaged) as caught:
        check_attachment(upload[:int(len(upload) * keep)], max_bytes=LIMIT)
    assert caught.value.message("en").startswith("This PDF file cannot be read")


def test_a_stream_left_open_is_damaged():
    upload = pdf().replace(b"endstream", b"")
    with pytest.raises(AttachmentDamaged):
        check_attachment(upload, max_bytes=LIMIT)
