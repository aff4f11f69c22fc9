"""What a resident record's `data_quality` list may hold: each finding's code and what it
means, in Vietnamese and English. The record's view and its list pages written by the
database name these codes; the OpenAPI document explains them from here."""

from __future__ import annotations

from typing import Any

# code → (Vietnamese, English)
FINDINGS: dict[str, tuple[str, str]] = {
    "id_number_mismatch": (
        "Các chữ số 4-6 của số định danh (thế kỷ, giới tính, năm sinh) không khớp với ngày sinh"
        " hoặc giới tính đã ghi; hãy kiểm tra lại số định danh, ngày sinh và giới tính",
        "Digits 4-6 of the ID number (century, sex, birth year) disagree with the recorded"
        " birth date or sex; check the ID number, the birth date and the sex",
    ),
}


def explain(code: str, lang: str) -> str:
    vi, en = FINDINGS[code]
    return en if lang == "en" else vi


def schema() -> dict[str, Any]:
    """The JSON schema of one finding: an open set of codes (a newer server may add one),
    each known code explained in `x-data-quality`."""
    return {"type": "string", "examples": list(FINDINGS),
            "description": "; ".join(f"`{code}`: {en}" for code, (_, en) in FINDINGS.items()),
            "x-data-quality": {code: {"description": en, "description_vi": vi}
                               for code, (vi, en) in FINDINGS.items()}}
