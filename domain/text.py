"""Text rules shared by every dialect: NFC storage and the folded search key.

Folding is done here, in Python, rather than with PostgreSQL's `unaccent`, so SQLite and
PostgreSQL compute the same key; the key is stored in a column and indexed there.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# Characters that never belong in stored text: NUL breaks PostgreSQL, the rest are
# invisible controls that make two equal-looking names differ.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# A lone half of a surrogate pair: JSON's "\ud800" decodes to one, and no encoder (nor
# PostgreSQL) takes it.
_SURROGATE = re.compile("[\ud800-\udfff]")

CONTROL_CHARACTERS = "control_characters"
INVALID_UNICODE = "invalid_unicode"


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def has_forbidden_chars(value: str) -> bool:
    return bool(_FORBIDDEN.search(value))


def text_fault(value: str) -> str | None:
    """Why `value` can never be stored as text (an error code), or None when it can."""
    if _FORBIDDEN.search(value):
        return CONTROL_CHARACTERS
    if _SURROGATE.search(value):
        return INVALID_UNICODE
    return None


def storable(value: str) -> str:
    """`value` without what `text_fault` refuses (to go on checking the rest of a request)."""
    return _SURROGATE.sub("", _FORBIDDEN.sub("", value))


Loc = tuple[str | int, ...]


def clean_tree(value: object, loc: Loc, faults: list[tuple[Loc, str]]) -> object:
    """`value` (decoded JSON: objects, arrays, strings...) with every string, keys included,
    in NFC; each string that can never be text is added to `faults` with where it sits, and
    answered `storable`."""
    if isinstance(value, str):
        if fault := text_fault(value):
            faults.append((loc, fault))
            value = storable(value)
        return value if value.isascii() else nfc(value)
    if isinstance(value, list):
        return [clean_tree(item, (*loc, i), faults) for i, item in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if fault := text_fault(key):
                faults.append(((*loc, key), fault))
                key = storable(key)
            out[key if key.isascii() else nfc(key)] = clean_tree(item, (*loc, key), faults)
        return out
    return value


def squash_spaces(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


@lru_cache(maxsize=65536)  # names and labels repeat: imports fold the same words often
def fold(value: str) -> str:
    """Lower-case, strip diacritics (đ/Đ → d) and squash spaces: 'Trần  Phú' → 'tran phu'."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return squash_spaces(stripped.lower())
