"""full name order

Residents get `full_name_key`: the order of `sort=full_name`, the name as it is written
(family name, middle names, given name) by the Vietnamese alphabet, compared byte by byte
("C" on PostgreSQL), with its indexes as `sort_key` has them. It replaces the folded name
that ordered `sort=full_name` before (Đ among the D, tones ignored).

The key is computed here in Python, one distinct name at a time: the functions below are a
copy of domain/text.py's as of this revision (a migration must not change when the domain
does); tests/unit/test_name_order.py checks that they agree.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 19:00:00
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
_SPACES = re.compile(r"\s+")
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_PRIMARY = {letter: chr(0x41 + i) for i, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _squash(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _letter(char: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", char)
    tone = next((_TONE_MARKS[c] for c in decomposed if c in _TONE_MARKS), 0)
    if not tone:
        return char, 0
    return _nfc("".join(c for c in decomposed if c not in _TONE_MARKS)), tone


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


def full_name_key(full_name: str) -> str:
    """The key of a stored name in written order (family, middle, given), as 0022 writes it."""
    words = _squash(_nfc(full_name)).split(" ")
    family, middle, given = (("", "", words[0]) if len(words) == 1
                             else (words[0], " ".join(words[1:-1]), words[-1]))
    return " ".join(_collation_key(f) for f in (family, middle, given))


def _key_type() -> sa.types.TypeEngine:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.add_column("resident", sa.Column("full_name_key", _key_type(), nullable=True))
    conn = op.get_bind()
    names = conn.execute(sa.text("SELECT DISTINCT full_name FROM resident")).scalars().all()
    conn.execute(sa.text("CREATE TEMPORARY TABLE name_keys_0022 (full_name TEXT PRIMARY KEY,"
                         " full_name_key TEXT)"))
    insert = sa.text("INSERT INTO name_keys_0022 VALUES (:n, :k)")
    for start in range(0, len(names), 5000):
        conn.execute(insert, [{"n": n, "k": full_name_key(n)}
                              for n in names[start:start + 5000]])
    conn.execute(sa.text(
        "UPDATE resident SET full_name_key = k.full_name_key FROM name_keys_0022 AS k"
        " WHERE k.full_name = resident.full_name"))
    conn.execute(sa.text("DROP TABLE name_keys_0022"))
    with op.batch_alter_table("resident") as batch:
        batch.alter_column("full_name_key", existing_type=_key_type(), nullable=False)
    # `sort=full_name` pages by (full_name_key, id) within a group, a commune or everyone.
    op.create_index(op.f("ix_resident_group_id_full_name_key_id"), "resident",
                    ["group_id", "full_name_key", "id"], unique=False)
    op.create_index(op.f("ix_resident_commune_id_full_name_key_id"), "resident",
                    ["commune_id", "full_name_key", "id"], unique=False)
    op.create_index(op.f("ix_resident_full_name_key_id"), "resident",
                    ["full_name_key", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_resident_full_name_key_id"), table_name="resident")
    op.drop_index(op.f("ix_resident_commune_id_full_name_key_id"), table_name="resident")
    op.drop_index(op.f("ix_resident_group_id_full_name_key_id"), table_name="resident")
    with op.batch_alter_table("resident") as batch:
        batch.drop_column("full_name_key")
