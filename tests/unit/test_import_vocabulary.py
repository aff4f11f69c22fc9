"""The words an import understands: column headers people write, relationship words with
and without diacritics, and the README that lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.imports.rows import REQUIRED, map_header, missing_labels
from domain.register import kinship, quality
from domain.register.columns import (
    HEADER_SYNONYMS,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_EXPORT_COLUMNS,
    NAME_FIRST_PART,
    RESIDENT_COLUMNS,
    RESIDENT_EXPORT_COLUMNS,
    exports_markdown,
    header_form,
    header_keys,
    headers_markdown,
    with_synonyms,
)
from domain.register.models import Relationship as R
from domain.text import fold

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
HEADERS = [(kind, key, name) for kind in ("residents", "households")
           for key, label, synonyms in with_synonyms(kind) for name in (key, label, *synonyms)]


@pytest.mark.parametrize(("kind", "key", "name"), HEADERS)
def test_every_header_of_the_vocabulary_finds_its_column(kind, key, name):
    for written in (name, name.upper(), fold(name), f"  {name} (*) ", name.replace(" ", "  ")):
        assert map_header(kind, [written]).columns == {0: key}, written


def test_a_newcomers_sheet_with_the_common_headers_has_every_required_column():
    header = ["STT", "Họ tên", "Ngày tháng năm sinh", "Giới", "Số CCCD", "Mã HGĐ",
              "QH với chủ hộ", "SĐT"]
    mapped = map_header("residents", header)
    assert mapped.missing == []
    assert mapped.columns == {1: "full_name", 2: "birth_date", 3: "sex", 4: "id_number",
                              5: "household_code", 6: "relationship", 7: "phone"}


@pytest.mark.parametrize(("kind", "imported", "exported"), [
    ("residents", RESIDENT_COLUMNS, RESIDENT_EXPORT_COLUMNS),
    ("households", HOUSEHOLD_COLUMNS, HOUSEHOLD_EXPORT_COLUMNS)])
def test_an_exports_header_maps_back_to_the_imports_columns_only(kind, imported, exported):
    """The export writes the import's columns first, then the address, which the import
    passes over: no export-only header is taken for a column (a resident's "Đường" or
    "Tổ dân phố/thôn" is never read as anything)."""
    assert exported[:len(imported)] == imported
    header = [label for _, label in exported]
    mapped = map_header(kind, header)
    assert mapped.columns == {i: key for i, (key, _) in enumerate(imported)}
    assert mapped.missing == []


def test_punctuation_and_spacing_do_not_matter():
    assert header_form("Số ĐT:") == header_form("so dt") == header_form("SỐ  ĐT")
    assert header_form("CMND/CCCD") == header_form("CMND / CCCD") == "cmnd cccd"
    assert header_form("\ufeffHọ và tên (*)") == "ho va ten"


def test_of_two_columns_for_one_field_the_better_named_wins():
    mapped = map_header("residents", ["Tên", "Họ và tên", "Ngày sinh"])
    assert mapped.columns == {1: "full_name", 2: "birth_date"}
    mapped = map_header("residents", ["Họ tên", "Tên"])
    assert mapped.columns == {0: "full_name"}


def test_a_name_in_two_columns_is_joined_and_the_given_name_alone_is_not_taken_for_it():
    for first in NAME_FIRST_PART:
        mapped = map_header("residents", [first, "Tên", "Ngày sinh"])
        assert mapped.cells(["Nguyễn Thị Thu", "Hà", "01/01/1990"])["full_name"] == \
            "Nguyễn Thị Thu Hà"
    mapped = map_header("residents", ["Tên", "Ngày sinh"])  # the given name is all there is
    assert mapped.cells(["Hà", "01/01/1990"]) == {"full_name": "Hà", "birth_date": "01/01/1990"}
    mapped = map_header("residents", ["Họ", "Họ và tên"])  # a whole name needs no join
    assert mapped.cells(["Nguyễn", "Nguyễn Văn An"])["full_name"] == "Nguyễn Văn An"


def test_the_missing_columns_are_named_as_the_export_heads_them():
    mapped = map_header("residents", ["Giới tính", "Mã hộ"])
    assert mapped.missing == ["full_name", "birth_date"]  # in the export's order
    assert missing_labels("residents", mapped.missing) == "Họ và tên, Ngày sinh"


def test_a_header_claimed_by_two_columns_is_refused():
    with pytest.raises(ValueError, match="names both"):
        header_keys([("a", "Số hộ"), ("b", "Label", ("so ho",))])


def test_another_import_can_bring_its_own_columns():
    known = header_keys([("voter_name", "Họ và tên cử tri", ("Họ tên", "Tên cử tri"))])
    assert known[header_form("HO TEN")] == ("voter_name", 3)  # key, key spaced, label...


def test_the_vocabulary_covers_every_required_column():
    for kind, required in REQUIRED.items():
        assert required <= set(HEADER_SYNONYMS[kind]) | {k for k, _ in RESIDENT_COLUMNS}


def test_the_readme_lists_every_header():
    assert headers_markdown() in README
    assert exports_markdown() in README
    assert kinship.words_markdown() in README


# -- relationships -----------------------------------------------------------------------
@pytest.mark.parametrize(("word", "meaning"), sorted(kinship.WORDS.items()))
def test_every_word_as_written_is_its_relationship(word, meaning):
    """In a row written with diacritics (the name has them), every word as it is."""
    assert kinship.relationship(word, context="Nguyễn Văn Bình") == meaning
    assert kinship.relationship(f" {word.upper()} ", context="Lê Thị Hoa") == meaning


@pytest.mark.parametrize("form", sorted(kinship.FOLDED))
def test_every_unambiguous_word_typed_without_diacritics_is_understood(form):
    meanings = {m for w, m in kinship.WORDS.items() if fold(w) == form}
    assert kinship.relationship(form, context="Nguyen Van Binh") == meanings.pop()


def test_ba_is_a_father_and_ba_with_its_grave_accent_a_grandmother():
    assert kinship.relationship("Ba", context="Trần Văn Hùng") == R.parent
    assert kinship.relationship("Bà", context="Tran Thi Mai") == R.grandparent
    assert kinship.relationship("Bà nội") == R.grandparent
    for word in ("Bố", "Má", "Tía", "Mẹ", "U", "Bầm"):
        assert kinship.relationship(word) == R.parent
    for word in ("Em", "Anh", "Chị"):
        assert kinship.relationship(word) == R.sibling


@pytest.mark.parametrize("form", sorted(kinship.AMBIGUOUS))
def test_every_ambiguous_fold_without_diacritics_is_refused_naming_the_choices(form):
    with pytest.raises(kinship.Ambiguous) as caught:
        kinship.relationship(form.upper(), context="Nguyen Van Binh")
    words = [w for words in kinship.AMBIGUOUS[form].values() for w in words]
    assert len(set(caught.value.choices)) > 1
    for word in words:
        assert f"“{word}”" in caught.value.describe("vi")
        assert f"“{word}”" in caught.value.describe("en")
    assert " hoặc " in caught.value.describe("vi")


def test_the_ambiguous_forms_are_those_of_words_with_different_meanings():
    assert set(kinship.AMBIGUOUS) == {"ba"}
    assert kinship.relationship("Vợ/Chồng") == kinship.relationship("vo / chong") == R.spouse
    assert kinship.relationship("spouse") == R.spouse  # the API's values too
    assert kinship.relationship("Hàng xóm") is None


# -- data quality -----------------------------------------------------------------------
def test_every_data_quality_code_is_explained_in_both_languages():
    from domain.register.models import Resident
    from domain.register.views import resident_document

    assert set(quality.FINDINGS) == {
        c.name for c in Resident.__table__.columns if c.name.endswith("_mismatch")}
    for code in quality.FINDINGS:
        assert quality.explain(code, "vi") != quality.explain(code, "en")
        assert code in quality.schema()["x-data-quality"]
    assert resident_document.__doc__  # the view names only catalogued codes:
    source = Path(__file__).parents[2] / "domain/register/views.py"
    listed = {c for c in quality.FINDINGS if f'"{c}"' in source.read_text(encoding="utf-8")}
    assert listed == set(quality.FINDINGS)
