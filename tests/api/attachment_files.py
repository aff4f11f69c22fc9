"""Real files for the attachment tests, made here with Pillow or written by hand, and the
upload helper."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A phone photo: EXIF with the camera, an orientation (6: turn 90° clockwise to view)
    and the GPS position where it was taken (Quy Nhơn)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "ScamPhone"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 46.0, 30.0), 3: "E",
                                  4: (109.0, 13.0, 10.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(size: tuple[int, int] = (16, 8), text: str | None = "Vị trí: 13.77N 109.22E") -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if text:
        info.add_text("Comment", text.encode("utf-8").decode("latin-1"))
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 255, 200)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def pdf(extra: bytes = b"") -> bytes:
    """A one-page PDF written by hand (ISO 32000's frame: header, objects, xref, trailer);
    `extra` goes into the catalogue's dictionary."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + extra + b">>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


PDF_WITH_JAVASCRIPT = pdf(b"/OpenAction << /S /JavaScript /JS (app.alert('x')) >> ")
PE_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"PE\x00\x00"
ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 40


async def upload(client, headers, ticket_id, content: bytes, *, name: str = "anh.png",
                 media_type: str = "image/png", visibility: str | None = "public"):
    data = {} if visibility is None else {"visibility": visibility}
    return await client.post(f"/api/v1/tickets/{ticket_id}/attachments", headers=headers,
                             data=data, files={"file": (name, content, media_type)})


def stored_files(root) -> list:
    """Every file under the storage folder (none while nothing was stored)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
