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


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def has_forbidden_chars(value: str) -> bool:
    return bool(_FORBIDDEN.search(value))


def squash_spaces(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


@lru_cache(maxsize=65536)  # names and labels repeat: imports fold the same words often
def fold(value: str) -> str:
    """Lower-case, strip diacritics (đ/Đ → d) and squash spaces: 'Trần  Phú' → 'tran phu'."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return squash_spaces(stripped.lower())
