"""A script's bulk round trip through the generated client alone: sign in, import households
and residents from CSV files as Excel writes them, follow the jobs, then export both registers
as CSV and XLSX and find the imported rows in each file.

    python flow.py --base-url http://127.0.0.1:8000 --username demo-group_leader --password ...

`digital_street_client` is the package openapi-python-client generates from the document
with config.yaml (README, "Front ends and scripts").
"""

from __future__ import annotations

import argparse
import csv
import io
import secrets
import time
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import httpx
import openpyxl
from digital_street_client import AuthenticatedClient, Client
from digital_street_client.api.auth import auth_token
from digital_street_client.api.exports import households_export, residents_export
from digital_street_client.api.imports import imports_create, imports_get
from digital_street_client.api.units import streets_list, units_list
from digital_street_client.models import (
    BodyAuthToken,
    BodyImportsCreate,
    ExportFormat,
    ImportKind,
    ImportRead,
    Problem,
    StreetPage,
    TokenResponse,
    UnitPage,
)
from digital_street_client.types import UNSET, File, Response, Unset

T = TypeVar("T")
FINISHED = {"succeeded", "completed_with_errors", "failed", "cancelled"}
HOUSEHOLD_HEADER = ["Mã hộ", "Đường", "Số nhà", "Loại hộ"]
RESIDENT_HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Mã hộ", "Quan hệ với chủ hộ"]


class FlowFailed(Exception):
    """The server answered something the flow did not expect."""


@dataclass
class Outcome:
    household_codes: list[str]
    resident_names: list[str]
    jobs: list[ImportRead]
    rejected: ImportRead  # the dry run with a bad row
    files: dict[str, str]  # "residents.csv" → the name in Content-Disposition


def parsed(answer: Response[Any], model: type[T], status: int) -> T:
    """The typed body of an answer with the expected status, or FlowFailed with the problem."""
    body = answer.parsed
    if answer.status_code != status or not isinstance(body, model):
        detail = body
        if isinstance(body, Problem):
            fields = [(e.loc, e.code) for e in body.errors or []]
            detail = f"{body.code}: {body.detail}" + (f" {fields}" if fields else "")
        raise FlowFailed(f"expected {status} {model.__name__}, got {answer.status_code} {detail}")
    return body


def sign_in(base_url: str, username: str, password: str) -> AuthenticatedClient:
    """An OAuth2 password grant; the access token goes on every later call."""
    body = BodyAuthToken(grant_type="password", username=username, password=password)
    with Client(base_url=base_url, raise_on_unexpected_status=True) as anonymous:
        token = parsed(auth_token.sync_detailed(client=anonymous, body=body), TokenResponse, 200)
    return AuthenticatedClient(base_url=base_url, token=token.access_token,
                               raise_on_unexpected_status=True, timeout=httpx.Timeout(120))


def excel_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """A sheet saved as "CSV UTF-8" by Excel with a Vietnamese locale: BOM, semicolons, CRLF."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def upload(client: AuthenticatedClient, content: bytes, *, filename: str, kind: ImportKind,
           group_id: UUID | Unset = UNSET, dry_run: bool = False,
           deadline_seconds: float = 120) -> ImportRead:
    """Submit a file and follow its job until it finishes (a bounded wait). A form field is
    left out (UNSET), never None: the client would send None as the text "None"."""
    body = BodyImportsCreate(
        file=File(payload=io.BytesIO(content), file_name=filename, mime_type="text/csv"),
        kind=kind, dry_run=dry_run, group_id=group_id)
    job = parsed(imports_create.sync_detailed(client=client, body=body), ImportRead, 202)
    deadline = time.monotonic() + deadline_seconds
    while job.status not in FINISHED:
        if time.monotonic() > deadline:
            raise FlowFailed(f"import {job.id} still {job.status} after {deadline_seconds} s")
        time.sleep(0.2)
        job = parsed(imports_get.sync_detailed(job.id, client=client), ImportRead, 200)
    return job


def succeeded(job: ImportRead, *, created: int) -> ImportRead:
    counts = (job.status, job.total_rows, job.created_count, job.rejected_count)
    if counts != ("succeeded", created, created, 0):
        raise FlowFailed(f"import {job.kind}: expected {created} rows created, got "
                         f"{counts} {[(e.line, e.column, e.code) for e in job.errors]}")
    return job


def download(answer: Response[Any], fmt: ExportFormat) -> tuple[str, list[list[str]]]:
    """The attachment's file name and its rows as text cells."""
    content = parsed(answer, File, 200).payload.read()
    name = answer.headers.get("content-disposition", "").partition('filename="')[2][:-1]
    if not name.endswith("." + fmt):
        raise FlowFailed(f"an {fmt} export named {name!r}")
    if fmt == "csv":
        if not content.startswith(b"\xef\xbb\xbf"):
            raise FlowFailed("the CSV has no UTF-8 BOM: Excel would misread its diacritics")
        return name, list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return name, [["" if cell is None else str(cell) for cell in row]
                  for row in sheet.iter_rows(values_only=True)]


def holds(rows: list[list[str]], wanted: set[tuple[str, ...]], columns: list[str],
          what: str) -> None:
    """Every wanted tuple is a row of the file, read by header names."""
    index = {label: i for i, label in enumerate(rows[0])}
    try:
        found = {tuple(row[index[c]] for c in columns) for row in rows[1:]}
    except KeyError as missing:
        raise FlowFailed(f"{what}: no column {missing} in {rows[0]}") from None
    if wanted - found:
        raise FlowFailed(f"{what}: missing rows {sorted(wanted - found)}")


def run(base_url: str, username: str, password: str) -> Outcome:
    """Import two households and their residents into the caller's first group, then find
    them in every export. Codes are new on each run, so it can run again on one server."""
    with sign_in(base_url, username, password) as client:
        group = parsed(units_list.sync_detailed(client=client, level="group", limit=1),
                       UnitPage, 200).items[0]
        street = parsed(streets_list.sync_detailed(client=client, commune_id=group.commune_id,
                                                   limit=1), StreetPage, 200).items[0]
        tag = secrets.token_hex(3).upper()
        codes = [f"PY-{tag}-1", f"PY-{tag}-2"]
        households = succeeded(upload(client, excel_csv(HOUSEHOLD_HEADER, [
            [codes[0], street.name, "12", "Thường trú"],
            [codes[1], street.name, "14/3", "Tạm trú"]]),
            filename="ho-gia-dinh.csv", kind="households", group_id=group.id), created=2)
        people = [["Phạm Thị Hồng Nhung", "12/03/1984", "Nữ", codes[0], "Chủ hộ"],
                  ["Lê Văn Đức", "05/11/1980", "Nam", codes[0], "Vợ/Chồng"],
                  ["Lê Phạm Khôi", "2012", "Nam", codes[0], "Con"],
                  ["Võ Thị Mai", "20/07/1990", "Nữ", codes[1], "Chủ hộ"]]
        rejected = upload(client, excel_csv(RESIDENT_HEADER, [*people, [
            "Đặng Văn Tùng", "31/02/1990", "Nam", codes[1], "Con"]]),
            filename="nhan-khau-thu.csv", kind="residents", dry_run=True)
        reasons = [(e.line, e.column, e.code) for e in rejected.errors]
        if rejected.status != "failed" or reasons != [(6, "birth_date", "date_invalid")]:
            raise FlowFailed(f"a dry run with a bad date: {rejected}")
        residents = succeeded(upload(client, excel_csv(RESIDENT_HEADER, people),
                                     filename="nhan-khau.csv", kind="residents"), created=4)
        files: dict[str, str] = {}
        formats: list[ExportFormat] = ["csv", "xlsx"]
        for fmt in formats:
            name, rows = download(residents_export.sync_detailed(
                client=client, group_id=group.id, format_=fmt), fmt)
            holds(rows, {(p[0], p[3]) for p in people}, ["Họ và tên", "Mã hộ"], name)
            files[f"residents.{fmt}"] = name
            name, rows = download(households_export.sync_detailed(
                client=client, group_id=group.id, format_=fmt), fmt)
            holds(rows, {(codes[0], street.name, "12"), (codes[1], street.name, "14/3")},
                  ["Mã hộ", "Đường", "Số nhà"], name)
            files[f"households.{fmt}"] = name
    return Outcome(codes, [p[0] for p in people], [households, residents], rejected, files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="demo-group_leader")
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    outcome = run(args.base_url, args.username, args.password)
    print("imported", outcome.household_codes, outcome.resident_names)
    print("exported", outcome.files)


if __name__ == "__main__":
    main()
