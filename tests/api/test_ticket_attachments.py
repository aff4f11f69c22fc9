"""Tickets' attachments end to end: real files made here, stored in a folder of the test's
own; types judged from the bytes, metadata stripped, size refused, who reads and removes
what, the download's headers, and no stored file left behind by a refused write."""

from __future__ import annotations

import hashlib
import io
import uuid
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import func, text
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.tickets.models import Ticket, TicketAttachment, TicketCategory, TicketEvent
from repositories.storage import FilesystemStorage
from tests.api.attachment_files import (
    ELF_EXECUTABLE,
    GPS_IFD,
    PDF_WITH_JAVASCRIPT,
    PE_EXECUTABLE,
    jpeg_with_gps,
    pdf,
    png,
    stored_files,
    upload,
)
from tests.api.test_ops import assert_invalid, assert_problem
from tests.api.test_outage import Harness
from tests.api.tickets_world import URL, body, move, open_ticket, ward
from tests.builders import bearer, make_user, make_walk
from tests.conftest import make_settings

LIMIT = 64 * 1024


@pytest.fixture
def settings(tmp_path):
    return make_settings(attachments_dir=tmp_path / "files", max_attachment_bytes=LIMIT)


@pytest.fixture
def root(app):
    return app.state.settings.attachments_path


@pytest.fixture
async def w(app, client, session):
    world = await ward(app, client, session)
    world["ticket"] = await open_ticket(client, world[Role.ward_officer], body(world))
    world["own"] = await open_ticket(client, world[Role.resident], {
        "subject": "Tin nhắn giả danh ngân hàng", "description": "Tôi nhận được tin nhắn lạ.",
        "category_id": world["fraud_report"]["id"], "channel": "citizen_app"})
    return world


async def _rows(session) -> int:
    return await session.scalar(select(func.count()).select_from(TicketAttachment))


def _if(attachment) -> dict[str, str]:
    return {"If-Match": f'"{attachment["sha256"]}"'}


def _url(ticket, attachment=None, tail: str = "") -> str:
    url = f"{URL}/{ticket['id']}/attachments"
    return f"{url}/{attachment['id']}{tail}" if attachment else url


class TestUpload:
    async def test_a_photo_loses_its_gps_position_and_stands_upright(self, client, session,
                                                                     root, w):
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"], jpeg_with_gps(),
                            name="IMG_0042.JPG", media_type="image/jpeg")
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == _url(w["ticket"], made)
        assert resp.headers["etag"] == f'"{made["sha256"]}"'
        assert (made["file_name"], made["media_type"], made["visibility"]) == (
            "IMG_0042.jpg", "image/jpeg", "public")
        assert (made["width"], made["height"]) == (20, 40)  # orientation 6 applied
        [stored] = stored_files(root)
        content = stored.read_bytes()
        assert hashlib.sha256(content).hexdigest() == made["sha256"]
        assert len(content) == made["size_bytes"]
        with Image.open(io.BytesIO(content)) as image:
            exif = image.getexif()
            assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD)
            assert not exif  # no orientation left to apply twice, no camera
            assert image.size == (20, 40)
        event = (await session.exec(select(TicketEvent).where(
            TicketEvent.kind == "attachment"))).one()
        assert (event.visibility, event.note) == ("public", "IMG_0042.jpg")
        audit = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "ticket.attach"))).all()
        assert [a.details["attachment_id"] for a in audit] == [made["id"]]

    async def test_a_png_keeps_its_pixels_and_loses_its_text(self, client, root, w):
        resp = await upload(client, w[Role.group_leader], w["ticket"]["id"], png(),
                            name="chụp màn hình.png", visibility="internal")
        assert resp.status_code == 201, resp.text
        assert (resp.json()["width"], resp.json()["height"]) == (16, 8)
        [stored] = stored_files(root)
        with Image.open(stored) as image:
            assert image.mode == "RGBA" and "Comment" not in image.info

    async def test_a_plain_pdf_is_kept_as_sent(self, client, root, w):
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"], pdf(),
                            name="don-de-nghi.pdf", media_type="application/pdf")
        assert resp.status_code == 201, resp.text
        assert resp.json()["media_type"] == "application/pdf"
        assert stored_files(root)[0].read_bytes() == pdf()

    async def test_a_pdf_with_javascript_is_refused(self, client, session, root, w):
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"],
                            PDF_WITH_JAVASCRIPT, name="hoa-don.pdf",
                            media_type="application/pdf")
        assert_invalid(resp, {("body", "file"): "attachment_active_content"})
        assert await _rows(session) == 0 and stored_files(root) == []

    @pytest.mark.parametrize("content", [PE_EXECUTABLE, ELF_EXECUTABLE], ids=["pe", "elf"])
    async def test_an_executable_renamed_jpg_is_a_415_and_nothing_is_stored(
            self, client, session, root, w, content):
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"], content,
                            name="scam.jpg", media_type="image/jpeg")
        assert_problem(resp, 415, "attachment_type_refused")
        assert await _rows(session) == 0 and stored_files(root) == []

    async def test_a_broken_image_is_a_422(self, client, session, root, w):
        photo = jpeg_with_gps()
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"],
                            photo[:len(photo) // 2], name="cut.jpg", media_type="image/jpeg")
        assert_invalid(resp, {("body", "file"): "attachment_damaged"})
        assert await _rows(session) == 0 and stored_files(root) == []

    async def test_one_byte_over_the_limit_is_a_413_and_nothing_is_stored(
            self, client, session, root, w):
        over = pdf() + b"%" * (LIMIT + 1 - len(pdf()))
        assert len(over) == LIMIT + 1
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"], over,
                            name="big.pdf", media_type="application/pdf")
        assert str(LIMIT) in assert_problem(resp, 413, "attachment_too_large")["detail"]
        assert await _rows(session) == 0 and stored_files(root) == []
        # Far over: the body limit answers before the route reads anything.
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"],
                            b"%" * (LIMIT * 3), name="bigger.pdf")
        assert_problem(resp, 413, "payload_too_large")
        assert await _rows(session) == 0 and stored_files(root) == []

    async def test_visibility_is_required(self, client, session, root, w):
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"], png(),
                            visibility=None)
        assert_invalid(resp, {("body", "visibility"): "missing"})
        assert await _rows(session) == 0 and stored_files(root) == []

    async def test_a_closed_ticket_takes_no_file(self, client, session, root, w):
        h, t = w[Role.ward_officer], w["ticket"]
        await move(client, h, t["id"], "resolved", outcome="done")
        await move(client, h, t["id"], "closed")
        assert_problem(await upload(client, h, t["id"], png()), 409, "ticket_closed")
        assert await _rows(session) == 0 and stored_files(root) == []

    async def test_the_name_is_cleaned_and_ends_in_the_types_extension(self, client, w):
        h, t = w[Role.ward_officer], w["ticket"]["id"]
        for given, kept in [("C:\\Users\\Lan\\Ảnh.chụp.exe", "Ảnh.chụp.png"),
                            ("../../etc/passwd", "passwd.png"),
                            ("\u202egnp.exe", "gnp.png"),
                            ("...", "attachment.png"),
                            ("x" * 300 + ".png", "x" * 196 + ".png")]:
            resp = await upload(client, h, t, png(), name=given)
            assert resp.status_code == 201, (given, resp.text)
            assert resp.json()["file_name"] == kept

    async def test_an_idempotency_key_replays_the_first_upload(self, client, session, root,
                                                               w):
        headers = {**w[Role.ward_officer], "Idempotency-Key": "upload-0042",
                   "Content-Type": "multipart/form-data; boundary=fixed-boundary-42"}
        first = await upload(client, headers, w["ticket"]["id"], png())
        again = await upload(client, headers, w["ticket"]["id"], png())
        assert first.status_code == again.status_code == 201, again.text
        assert again.headers["idempotency-replayed"] == "true"
        assert again.json() == first.json()
        assert await _rows(session) == 1 and len(stored_files(root)) == 1

    @pytest.mark.parametrize(("errcode", "status", "code"), [
        ("disk_full", 507, "insufficient_storage"), ("unique_violation", 409, "conflict")])
    async def test_the_stored_file_is_deleted_when_the_row_cannot_be_written(
            self, client, session, root, w, errcode, status, code):
        # The database refuses the row after the file was stored: a real trigger.
        await session.execute(text(f"""
            CREATE FUNCTION pg_temp.refuse_attachment() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '{errcode}'; END $$
            LANGUAGE plpgsql"""))
        await session.execute(text(
            "CREATE TRIGGER refuse BEFORE INSERT ON ticket_attachment FOR EACH ROW "
            "EXECUTE FUNCTION pg_temp.refuse_attachment()"))
        await session.flush()
        resp = await upload(client, w[Role.ward_officer], w["ticket"]["id"], png())
        assert_problem(resp, status, code)
        assert stored_files(root) == []
        await session.execute(text("DROP TRIGGER refuse ON ticket_attachment"))
        assert await _rows(session) == 0


class TestWho:
    async def test_a_resident_attaches_public_files_to_their_own_ticket(self, client, root,
                                                                        session, w):
        h, own = w[Role.resident], w["own"]
        resp = await upload(client, h, own["id"], png(), name="tin-nhan.png")
        assert resp.status_code == 201, resp.text
        assert_problem(await upload(client, h, own["id"], png(), visibility="internal"),
                       403, "ticket_staff_only")
        assert_problem(await upload(client, h, w["ticket"]["id"], png()), 404,
                       "ticket_not_found")
        assert await _rows(session) == 1 and len(stored_files(root)) == 1

    async def test_a_resident_never_sees_an_internal_file(self, client, w):
        officer, own = w[Role.ward_officer], w["own"]
        public = (await upload(client, w[Role.resident], own["id"], png())).json()
        internal = (await upload(client, officer, own["id"], pdf(), name="ghi-chu.pdf",
                                 visibility="internal")).json()
        h = w[Role.resident]
        listed = (await client.get(_url(own), headers=h)).json()["items"]
        assert [a["id"] for a in listed] == [public["id"]]
        staff = (await client.get(_url(own), headers=officer)).json()["items"]
        assert [a["id"] for a in staff] == [public["id"], internal["id"]]  # oldest first
        for tail in ("", "/content"):
            assert_problem(await client.get(_url(own, internal, tail), headers=h), 404,
                           "ticket_attachment_not_found")
            assert (await client.get(_url(own, public, tail), headers=h)).status_code == 200
        assert_problem(await client.delete(_url(own, internal), headers=h), 404,
                       "ticket_attachment_not_found")
        timeline = (await client.get(f"{URL}/{own['id']}/timeline", headers=h)).json()
        assert [e["visibility"] for e in timeline["items"] if e["kind"] == "attachment"] == [
            "public"]

    async def test_another_communes_staff_get_404s(self, app, client, session, w):
        made = (await upload(client, w[Role.ward_officer], w["ticket"]["id"], png())).json()
        tree = w["tree"]
        volunteer = await make_user(session, role=Role.volunteer, units=[tree.group_b1])
        await make_walk(session, volunteer, [w["away"]])
        for h in (w["other_officer"], bearer(app, volunteer, [tree.group_b1])):
            for url in (_url(w["ticket"]), _url(w["ticket"], made),
                        _url(w["ticket"], made, "/content")):
                assert_problem(await client.get(url, headers=h), 404, "ticket_not_found")
            assert_problem(await client.delete(_url(w["ticket"], made), headers=h), 404,
                           "ticket_not_found")
            assert_problem(await upload(client, h, w["ticket"]["id"], png()), 404,
                           "ticket_not_found")
        assert await _rows(session) == 1

    async def test_a_security_officer_reads_fraud_reports_files_only(self, client, w):
        officer, guard = w[Role.ward_officer], w[Role.security_officer]
        fraud = (await upload(client, officer, w["own"]["id"], png())).json()
        plain = (await upload(client, officer, w["ticket"]["id"], png())).json()
        resp = await client.get(_url(w["own"], fraud, "/content"), headers=guard)
        assert resp.status_code == 200 and resp.content[:4] == b"\x89PNG"
        assert_problem(await client.get(_url(w["ticket"], plain, "/content"), headers=guard),
                       404, "ticket_not_found")
        assert_problem(await client.get(_url(w["ticket"]), headers=guard), 404,
                       "ticket_not_found")


class TestDownload:
    async def test_headers_and_bytes(self, client, root, w):
        h = w[Role.ward_officer]
        name = "ảnh chụp tin nhắn đòi tiền.png"
        made = (await upload(client, h, w["ticket"]["id"], png(), name=name)).json()
        resp = await client.get(_url(w["ticket"], made, "/content"), headers=h)
        assert resp.status_code == 200
        [stored] = stored_files(root)
        assert resp.content == stored.read_bytes()
        assert resp.headers["content-type"] == "image/png"
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["content-security-policy"] == "sandbox"
        assert resp.headers["content-length"] == str(len(resp.content))
        assert resp.headers["etag"] == f'"{hashlib.sha256(resp.content).hexdigest()}"'
        assert resp.headers["content-disposition"] == (
            "inline; filename=\"anh chup tin nhan doi tien.png\"; "
            f"filename*=UTF-8''{quote(name, safe='')}")
        meta = await client.get(_url(w["ticket"], made), headers=h)
        assert meta.json() == made and meta.headers["etag"] == resp.headers["etag"]

    async def test_a_pdf_is_downloaded_not_shown(self, client, w):
        h = w[Role.ward_officer]
        made = (await upload(client, h, w["ticket"]["id"], pdf(), name="Đơn.pdf",
                             media_type="application/pdf")).json()
        resp = await client.get(_url(w["ticket"], made, "/content"), headers=h)
        assert resp.headers["content-type"] == "application/pdf"
        assert resp.headers["content-disposition"].startswith('attachment; filename="Don.pdf"')
        assert resp.content == pdf()

    async def test_a_lost_file_is_a_404_before_any_byte(self, client, root, w):
        h = w[Role.ward_officer]
        made = (await upload(client, h, w["ticket"]["id"], png())).json()
        stored_files(root)[0].unlink()
        assert_problem(await client.get(_url(w["ticket"], made, "/content"), headers=h), 404,
                       "stored_file_not_found")


class TestDelete:
    async def test_staff_remove_a_file_and_it_leaves_the_folder(self, client, session, root,
                                                                w):
        h = w[Role.group_leader]
        made = (await upload(client, w[Role.resident], w["own"]["id"], png())).json()
        assert len(stored_files(root)) == 1
        resp = await client.delete(_url(w["own"], made), headers={**h, **_if(made)})
        assert resp.status_code == 204, resp.text
        assert stored_files(root) == [] and await _rows(session) == 0
        assert_problem(await client.get(_url(w["own"], made), headers=h), 404,
                       "ticket_attachment_not_found")

    async def test_a_resident_removes_their_own_only(self, client, session, root, w):
        h, own = w[Role.resident], w["own"]
        staffs = (await upload(client, w[Role.ward_officer], own["id"], png())).json()
        mine = (await upload(client, h, own["id"], png())).json()
        assert_problem(await client.delete(_url(own, staffs), headers=h), 403,
                       "ticket_attachment_not_yours")
        assert (await client.delete(_url(own, mine), headers={**h, **_if(mine)})
                ).status_code == 204
        assert await _rows(session) == 1 and len(stored_files(root)) == 1

    async def test_if_match_is_the_files_etag(self, client, session, root, w):
        h, t = w[Role.ward_officer], w["ticket"]
        made = (await upload(client, h, t["id"], png())).json()
        assert_problem(await client.delete(_url(t, made), headers=h), 428,
                       "precondition_required")
        assert_problem(await client.delete(_url(t, made), headers={
            **h, "If-Match": '"0123abcd.1"'}), 412, "precondition_failed")
        assert await _rows(session) == 1 and len(stored_files(root)) == 1

    async def test_not_on_a_closed_ticket(self, client, session, root, w):
        h, t = w[Role.ward_officer], w["ticket"]
        made = (await upload(client, h, t["id"], png())).json()
        await move(client, h, t["id"], "resolved", outcome="done")
        await move(client, h, t["id"], "closed")
        assert_problem(await client.delete(_url(t, made), headers=h), 409, "ticket_closed")
        assert await _rows(session) == 1 and len(stored_files(root)) == 1

    async def test_an_auditor_removes_nothing(self, client, session, w):
        made = (await upload(client, w[Role.ward_officer], w["ticket"]["id"], png())).json()
        assert_problem(await client.delete(_url(w["ticket"], made), headers=w[Role.auditor]),
                       403, "forbidden")
        assert await _rows(session) == 1


_REFUSE_AT_COMMIT = """
CREATE OR REPLACE FUNCTION ds_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'full' USING ERRCODE = 'disk_full'; END $$;
"""


async def test_a_commit_that_fails_leaves_no_file(pg_url, tmp_path):
    """The row is flushed and the route answers, then the one COMMIT fails (a deferred
    trigger at COMMIT, on a real engine): the client is told, and the stored file is gone.
    What this test commits (a category and a ticket) it deletes again, so the worker's
    database holds nothing the rolled-back tests could count."""
    async with Harness(pg_url) as h:
        h.app.state.storage = FilesystemStorage(tmp_path)
        tree = h.tree
        async with h.app.state.session_factory() as session:
            category = TicketCategory(code=f"c-{uuid.uuid4().hex[:8]}", name="Lừa đảo",
                                      kind="fraud_report", first_response_minutes=60,
                                      resolution_minutes=600, commune_id=tree.commune_a.id)
            session.add(category)
            await session.flush()
            ticket = Ticket(code=uuid.uuid4().hex[:8].upper(), province_id=tree.province.id,
                            commune_id=tree.commune_a.id, channel="phone", subject="Lạ",
                            description="Giả danh công an.", subject_folded="la",
                            category_id=category.id, priority="normal",
                            opened_by_id=h.user.id)
            session.add(ticket)
            await session.commit()
        await h.admin.execute(text(_REFUSE_AT_COMMIT))
        await h.admin.execute(text(
            "CREATE CONSTRAINT TRIGGER ds_test_refuse AFTER INSERT ON ticket_attachment"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ds_test_refuse()"))
        try:
            resp = await upload(h.client, h.headers, ticket.id, png())
        finally:
            await h.admin.execute(text("DROP TRIGGER ds_test_refuse ON ticket_attachment"))
            rows = await h.admin.scalar(text(
                "SELECT count(*) FROM ticket_attachment WHERE ticket_id = :t"), {"t": ticket.id})
            await h.admin.execute(text("DELETE FROM ticket WHERE id = :t"), {"t": ticket.id})
            await h.admin.execute(text("DELETE FROM ticket_category WHERE id = :c"),
                                  {"c": category.id})
        assert_problem(resp, 507, "insufficient_storage")
        assert stored_files(tmp_path) == [] and rows == 0
