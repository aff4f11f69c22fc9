"""Every message a Vietnamese reader can get is Vietnamese, and no text shows a raw
"{placeholder}": pydantic's every error type, and every problem class of the catalogue."""

from __future__ import annotations

import re
import string

import pytest
from pydantic_core._pydantic_core import list_all_errors

from domain import messages
from domain.catalogue import CATALOGUE

# Words of pydantic's and the JSON decoder's English that must never reach a Vietnamese
# reader (whole words, case-insensitive).
ENGLISH = ("should", "input", "valid", "invalid", "expected", "expecting", "value", "field",
           "required", "must", "or", "got", "not", "string", "integer", "number", "allowed",
           "missing", "error", "the", "be", "is", "at", "least", "most", "characters",
           "permitted", "extra", "date", "datetime", "time", "list", "dictionary", "object",
           "json", "decode", "unable", "parse", "fractional", "part", "zero", "have", "with")
_ENGLISH = re.compile(r"\b(" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
# Names that stay as they are in Vietnamese text: formats, literals, units.
_KEPT = re.compile(r"'[^']*'|\bYYYY-MM-DD\b|\bRFC 3339\b|\bJSON\b|\btrue\b|\bfalse\b|\bnull\b"
                   r"|\bUUID\b|\bURL\b|\bUTF-8\b|\bASCII\b|\bISO 8601\b|\bNUL\b|\bbyte\b",
                   re.IGNORECASE)
ERRORS = list_all_errors()


def english_words(text: str) -> list[str]:
    return _ENGLISH.findall(_KEPT.sub(" ", text))


def placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def test_the_english_check_finds_pydantics_own_texts():
    """Control: the check would have failed on what used to leak through."""
    for leaked in ("Input should be a valid integer, got a number with a fractional part",
                   "Datetimes provided to dates should have zero time",
                   "Phải là một trong: 'male' or 'female'", "Expecting value"):
        assert english_words(leaked), leaked


@pytest.mark.parametrize("error", ERRORS, ids=[e["type"] for e in ERRORS])
def test_every_pydantic_error_type_has_both_messages(error):
    assert error["type"] in messages.FIELD_MESSAGES
    vi, en = messages.FIELD_MESSAGES[error["type"]]
    context = error.get("example_context") or {}
    # A template names only the context pydantic gives its type.
    assert set(placeholders(vi)) <= set(context) and set(placeholders(en)) <= set(context)
    for ctx in (context, {}):  # with its context, and with none (a custom raise)
        for lang in ("vi", "en"):
            text = messages.field_message(error["type"], lang, dict(ctx), "fallback")
            assert text and "{" not in text and "}" not in text, (lang, text)
        assert not english_words(messages.field_message(error["type"], "vi", dict(ctx), "")), \
            messages.field_message(error["type"], "vi", dict(ctx), "")


def test_choices_are_listed_without_english():
    for kind in ("enum", "literal_error"):
        vi = messages.field_message(kind, "vi", {"expected": "'male' or 'female'"}, "")
        assert vi == "Phải là một trong các giá trị: 'male', 'female'"
        en = messages.field_message(kind, "en", {"expected": "'a', 'b' or 'c'"}, "")
        assert en == "Must be one of: 'a', 'b', 'c'"


def test_an_unknown_type_is_general_in_vietnamese_and_its_own_text_in_english():
    assert messages.field_message("type_of_a_newer_pydantic", "vi", {}, "") == \
        "Giá trị không hợp lệ"
    assert messages.field_message("type_of_a_newer_pydantic", "en", {}, "Its text") == "Its text"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_problem_class_renders_without_placeholders(code):
    """A title names no parameter (it is the same for every occurrence); a detail or field
    text whose parameters are not given falls back to the title, never "{name}"."""
    case = CATALOGUE[code]
    for lang in ("vi", "en"):
        assert not placeholders(case.text("title", lang)), (code, lang)
        for part in ("detail", "field"):
            text = case.text(part, lang, {})
            assert "{" not in text or "{{" in (getattr(case, f"{lang}_{part}") or ""), \
                (code, part, text)
        template = getattr(case, f"{lang}_detail") or ""
        filled = case.text("detail", lang, {name: "X" for name in placeholders(template)})
        assert not placeholders(filled.replace("{{", "").replace("}}", ""))
    for part in ("title", "detail", "field"):
        template = case.text(part, "vi", {})
        filled = case.text(part, "vi", {name: "X" for name in placeholders(
            getattr(case, "vi" if part == "title" else f"vi_{part}") or "")})
        assert not english_words(template) and not english_words(filled), (code, part, filled)
