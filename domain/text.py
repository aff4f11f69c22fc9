"""Text rules shared by every dialect: NFC storage and the folded search key.

Folding is done here, in Python, rather than with PostgreSQL's `unaccent`, so SQLite and
PostgreSQL compute the same key; the key is stored in a column and indexed there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
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


class _FoldTable(dict[int, str]):
    """`str.translate`'s table for `fold`, one character at a time, filled as characters
    are met: the character decomposed (NFD) without its combining marks; đ/Đ → d/D
    (lower case is then taken of the whole string, as casing can depend on the next
    letter). Stripping the marks of each character is stripping them from the whole string
    (a combining mark typed on its own maps to nothing), and `translate` runs in C: a
    reconciliation folds a commune's hundred thousand names and addresses."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "đĐ":
            out = "d" if char == "đ" else "D"
        else:
            decomposed = unicodedata.normalize("NFD", char)
            out = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        self[code] = out
        return out


_FOLD = _FoldTable()


@lru_cache(maxsize=65536)  # names and labels repeat: imports fold the same words often
def fold(value: str) -> str:
    """Lower-case, strip diacritics (đ/Đ → d) and squash spaces: 'Trần  Phú' → 'tran phu'."""
    return squash_spaces(value.translate(_FOLD).lower())


# -- names: search keys and the Vietnamese collation --------------------------------------
# Jrai and Bahnar names carry an apostrophe ("Siu H'Prông"), typed as ' or ’ (or ‘, ʼ, `),
# or left out: in every key the apostrophe is dropped, so all four spellings are one.
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
TONE_ORDER = "ngang huyền hỏi ngã sắc nặng"  # the secondary key, in _TONE_MARKS' numbers
_MARK_OF = {tone: mark for mark, tone in _TONE_MARKS.items()}
_VOWELS = "aăâeêioôơuưy"
# An open syllable whose rhyme is oa, oe or uy takes its tone on either vowel: "hoà" and
# "hòa", "thuỷ" and "thủy", "khoẻ" and "khỏe" are both official. ("quý": qu is a consonant.)
_TWO_STYLE = re.compile(f"([^{_VOWELS}]*)(oa|oe|uy)")


def drop_apostrophes(value: str) -> str:
    return _APOSTROPHES.sub("", value)


@lru_cache(maxsize=1024)
def _letter(char: str) -> tuple[str, int]:
    """('ậ' →) the letter without its tone ('â') and the tone's number (5, nặng)."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = next((_TONE_MARKS[c] for c in decomposed if c in _TONE_MARKS), 0)
    if not tone:
        return char, 0
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                if c not in _TONE_MARKS)), tone


def _one_style(word: str) -> str:
    letters = [_letter(c) for c in word]
    match = _TWO_STYLE.fullmatch("".join(letter for letter, _ in letters).lower())
    if match is None or match.group(1).endswith("q"):
        return word
    at = len(match.group(1))
    tone = letters[at][1] or letters[at + 1][1]
    if not tone:
        return word
    out = list(word)
    out[at] = unicodedata.normalize("NFC", letters[at][0] + _MARK_OF[tone])
    out[at + 1] = letters[at + 1][0]
    return "".join(out)


def one_tone_style(value: str) -> str:
    """`value` (NFC) with each oa/oe/uy syllable's tone on its first vowel: 'Hoà Thuỷ' →
    'Hòa Thủy'. For search keys only: a name stays stored as it was written."""
    return " ".join(_one_style(word) for word in value.split(" "))


@lru_cache(maxsize=65536)
def name_exact(value: str) -> str:
    """The exact (diacritics kept) search key of a name or query: NFC, lower case, spaces
    squashed, one tone style, no apostrophes: 'Siu H’Prông Hoà' → 'siu hprông hòa'."""
    return one_tone_style(squash_spaces(drop_apostrophes(nfc(value))).lower())


@lru_cache(maxsize=65536)
def name_fold(value: str) -> str:
    """The folded search key of a name or query: `fold` without apostrophes."""
    return fold(drop_apostrophes(value))


# -- queries: the words of `q` -------------------------------------------------------------
MAX_QUERY_WORDS = 8


def _trim(word: str) -> str:
    """A word without the punctuation and symbols around it: '"phú",' → 'phú', '34/2' stays."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PS":
        end -= 1
    return word[start:end]


def query_words(q: str | None, key: Callable[[str], str] = name_fold) -> list[str]:
    """The words of a `q` as a search key writes them (`name_fold`, or `name_exact` to rank),
    each without the quotes and punctuation around it, at most `MAX_QUERY_WORDS`. A `q` of
    apostrophes, quotes or punctuation alone has no word: it is a blank `q`, which filters
    nothing (CONTRACT.md's lists: `q` is a filter like the others, absent when empty)."""
    if not q:
        return []
    # Trimmed before the key too: a quote would hide a syllable's tone style from it.
    words = (_trim(w) for raw in q.split() for w in key(_trim(raw)).split())
    return [w for w in words if w][:MAX_QUERY_WORDS]


@lru_cache(maxsize=1)
def _letters_folding_to() -> dict[str, str]:
    """Every letter `fold` takes to one ASCII letter, by that letter: 'd' → 'dDđĐ...'."""
    out: dict[str, str] = {}
    for code in (*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250),
                 *range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            out[folded] = out.get(folded, "") + char
    return out


_APOSTROPHE_CLASS = _APOSTROPHES.pattern + "?"  # one may stand between any two letters


@lru_cache(maxsize=4096)
def folded_pattern(word: str) -> str:
    """A regular expression that finds `word` (a folded query word) in text stored as
    written, whatever its case, diacritics and apostrophes, as `name_fold` would compare
    them: 'duc' finds "Đức" and "ĐỨC". Character classes and escaped punctuation only, so
    PostgreSQL's `~` and Python's `re` (SQLite's REGEXP) read it alike."""
    letters = _letters_folding_to()
    parts = []
    for char in word:
        if char in letters:
            parts.append(f"[{letters[char]}]")
        elif char.isascii() and not char.isalnum():
            parts.append("\\" + char)
        else:
            parts.append(char)
    return _APOSTROPHE_CLASS.join(parts)


# The Vietnamese alphabet, then f j w z where the Latin alphabet has them (minority and
# foreign names): the primary key's letters, in order.
VI_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_PRIMARY = {letter: chr(0x41 + i) for i, letter in enumerate(VI_ALPHABET)}  # 'A'..'a'
_FIELD_END, _WORD_GAP, _FIELDS_GAP = "!", '"', " "  # all below digits and letters


@lru_cache(maxsize=4096)
def _primary(letter: str) -> str:
    if letter in _PRIMARY:
        return _PRIMARY[letter]
    if letter.isdigit() and letter.isascii():
        return letter
    if letter == " ":
        return _WORD_GAP
    base = unicodedata.normalize("NFD", letter)[0]  # ç, ü, ñ: the letter beneath
    if base in _PRIMARY:
        return _PRIMARY[base]
    return "~" + letter  # anything else after every letter


@lru_cache(maxsize=65536)
def _collation_key(value: str) -> str:
    words = squash_spaces(drop_apostrophes(nfc(value))).lower().split(" ")
    primary, tones = [], []
    for word in words:
        if not word:
            continue
        tone = 0
        for char in word:
            letter, mark = _letter(char)
            primary.append(_primary(letter))
            tone = mark or tone
        primary.append(_WORD_GAP)
        tones.append(str(tone))
    return "".join(primary[:-1]) + _FIELD_END + "".join(tones)


def vi_sort_key(*fields: str) -> str:
    """A key whose binary order (code points: PostgreSQL's "C" collation, SQLite's BINARY)
    is the Vietnamese alphabetical order of `fields`, compared one field after the other.

    Within a field: the letters first, by the Vietnamese alphabet (a ă â b c d đ e ê g ...,
    so Đ comes after every D), words in turn (a shorter word first); then, between names
    with the same letters, the tone of each syllable in turn (ngang, huyền, hỏi, ngã, sắc,
    nặng). Case does not count, nor apostrophes, and both tone styles ("Hoà"/"Hòa") are one.

    The order is computed here and stored (`resident.sort_key`) rather than asked of the
    database: an ICU collation (`vi-VN-x-icu`) may be missing on a PostgreSQL server, and
    SQLite has none, yet both must list a roster in the same order from an index."""
    return _FIELDS_GAP.join(_collation_key(field) for field in fields)
