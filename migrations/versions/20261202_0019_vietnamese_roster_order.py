"""vietnamese roster order and name search keys

Residents get `sort_key` (the roster order by the Vietnamese alphabet, compared byte by
byte: "C" on PostgreSQL), which replaces `given_name_folded` and its indexes; the search
keys `name_folded` and `name_lower` are recomputed (apostrophes dropped, one tone style).

The keys are computed here in Python, one distinct name at a time: the functions below are
a copy of domain/text.py's as of this revision (a migration must not change when the domain
does); tests/test_name_order.py checks that they agree.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 13:30:00
"""

import re
import unicodedata
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
_SPACES = re.compile(r"\s+")
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_MARK_OF = {tone: mark for mark, tone in _TONE_MARKS.items()}
_TWO_STYLE = re.compile("([^aăâeêioôơuưy]*)(oa|oe|uy)")
_PRIMARY = {letter: chr(0x41 + i) for i, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _squash(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return _squash("".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower())


def _letter(char: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", char)
    tone = next((_TONE_MARKS[c] for c in decomposed if c in _TONE_MARKS), 0)
    if not tone:
        return char, 0
    return _nfc("".join(c for c in decomposed if c not in _TONE_MARKS)), tone


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
    out[at] = _nfc(letters[at][0] + _MARK_OF[tone])
    out[at + 1] = letters[at + 1][0]
    return "".join(out)


def _primary(letter: str) -> str:
    if letter in _PRIMARY:
        return _PRIMARY[letter]
    if letter.isdigit() and letter.isascii():
        return letter
    base = unicodedata.normalize("NFD", letter)[0]
    return _PRIMARY[base] if base in _PRIMARY else "~" + letter


def _collation_key(value: str) -> str:
    primary, tones = [], []
    for word in _squash(_APOSTROPHES.sub("", _nfc(value))).lower().split(" "):
        if not word:
            continue
        tone = 0
        for char in word:
            letter, mark = _letter(char)
            primary.append(_primary(letter))
            tone = mark or tone
        primary.append('"')
        tones.append(str(tone))
    return "".join(primary[:-1]) + "!" + "".join(tones)


def _split(name: str) -> tuple[str, str, str]:
    words = name.split(" ")
    return ("", "", words[0]) if len(words) == 1 else (words[0], " ".join(words[1:-1]),
                                                         words[-1])


def new_keys(full_name: str) -> tuple[str, str, str]:
    """(name_folded, name_lower, sort_key) of a stored name, as 0019 writes them."""
    name = _squash(_nfc(full_name))
    bare = _squash(_APOSTROPHES.sub("", name))
    family, middle, given = _split(name)
    return (_fold(bare), " ".join(_one_style(w) for w in bare.lower().split(" ")),
            " ".join(_collation_key(f) for f in (given, family, middle)))


def old_keys(full_name: str) -> tuple[str, str, str]:
    """(name_folded, name_lower, given_name_folded) as 0018 wrote them."""
    name = _squash(_nfc(full_name))
    return _fold(name), name.lower(), _fold(_split(name)[2])


def _rewrite_keys(keys: Callable[[str], tuple[str, str, str]], third: str) -> None:
    """Every resident's three keys from its full name, one distinct name at a time."""
    conn = op.get_bind()
    names = conn.execute(sa.text("SELECT DISTINCT full_name FROM resident")).scalars().all()
    conn.execute(sa.text("CREATE TEMPORARY TABLE name_keys_0019 (full_name TEXT PRIMARY KEY,"
                         " name_folded TEXT, name_lower TEXT, third TEXT)"))
    insert = sa.text("INSERT INTO name_keys_0019 VALUES (:n, :f, :l, :t)")
    for start in range(0, len(names), 5000):
        conn.execute(insert, [dict(zip("nflt", (n, *keys(n)), strict=True))
                              for n in names[start:start + 5000]])
    assert third in ("sort_key", "given_name_folded")  # a column name, never input
    conn.execute(sa.text(
        f"UPDATE resident SET name_folded = k.name_folded, name_lower = k.name_lower, {third}"  # noqa: S608
        " = k.third FROM name_keys_0019 AS k WHERE k.full_name = resident.full_name"))
    conn.execute(sa.text("DROP TABLE name_keys_0019"))


def _key_type() -> sa.types.TypeEngine:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.add_column("resident", sa.Column("sort_key", _key_type(), nullable=True))
    _rewrite_keys(new_keys, "sort_key")
    op.drop_index(op.f("ix_resident_given_name_folded_id"), table_name="resident")
    op.drop_index(op.f("ix_resident_commune_id_given_name_folded_id"), table_name="resident")
    op.drop_index(op.f("ix_resident_group_id_given_name_folded_id"), table_name="resident")
    with op.batch_alter_table("resident") as batch:
        batch.alter_column("sort_key", existing_type=_key_type(), nullable=False)
        batch.drop_column("given_name_folded")
    # Rosters page by (sort_key, id) within a group, a commune or everyone.
    op.create_index(op.f("ix_resident_group_id_sort_key_id"), "resident",
                    ["group_id", "sort_key", "id"], unique=False)
    op.create_index(op.f("ix_resident_commune_id_sort_key_id"), "resident",
                    ["commune_id", "sort_key", "id"], unique=False)
    op.create_index(op.f("ix_resident_sort_key_id"), "resident", ["sort_key", "id"],
                    unique=False)


def downgrade() -> None:
    op.add_column("resident", sa.Column("given_name_folded", sa.String(length=100),
                                        nullable=True))
    _rewrite_keys(old_keys, "given_name_folded")
    op.drop_index(op.f("ix_resident_sort_key_id"), table_name="resident")
    op.drop_index(op.f("ix_resident_commune_id_sort_key_id"), table_name="resident")
    op.drop_index(op.f("ix_resident_group_id_sort_key_id"), table_name="resident")
    with op.batch_alter_table("resident") as batch:
        batch.alter_column("given_name_folded", existing_type=sa.String(length=100),
                           nullable=False)
        batch.drop_column("sort_key")
    op.create_index(op.f("ix_resident_group_id_given_name_folded_id"), "resident",
                    ["group_id", "given_name_folded", "id"], unique=False)
    op.create_index(op.f("ix_resident_commune_id_given_name_folded_id"), "resident",
                    ["commune_id", "given_name_folded", "id"], unique=False)
    op.create_index(op.f("ix_resident_given_name_folded_id"), "resident",
                    ["given_name_folded", "id"], unique=False)
