"""The words people write for a member's relationship to the head of the household.

Matched as written, with diacritics, first: "Ba" (father, as said in Bình Định and the
South) is a parent and "Bà" a grandparent. A word typed without diacritics is matched
folded only where the folded form means one thing; "ba" could be either, and a row whose
writer leaves out diacritics (neither the cell nor the name carries any) gets a row error
naming the choices instead of a guess.
"""

from __future__ import annotations

from collections import defaultdict

from domain.register.models import Relationship as R
from domain.text import fold, nfc, squash_spaces

# Every word an import understands, with its diacritics. The export's labels are here too.
WORDS: dict[str, R] = {
    # chủ hộ
    "Chủ hộ": R.head, "Chủ hộ gia đình": R.head, "CH": R.head,
    # vợ / chồng
    "Vợ/Chồng": R.spouse, "Vợ": R.spouse, "Chồng": R.spouse,
    # con
    "Con": R.child, "Con trai": R.child, "Con gái": R.child, "Con đẻ": R.child,
    "Con nuôi": R.child, "Con ruột": R.child,
    # cha / mẹ, by region: Bố, Cha, Ba, Tía, Thầy (father); Mẹ, Má, U, Bầm, Mạ (mother)
    "Cha/Mẹ": R.parent, "Bố/Mẹ": R.parent, "Cha": R.parent, "Bố": R.parent, "Ba": R.parent,
    "Tía": R.parent, "Mẹ": R.parent, "Má": R.parent, "U": R.parent, "Bầm": R.parent,
    "Mạ": R.parent, "Bố đẻ": R.parent, "Mẹ đẻ": R.parent,
    # cháu
    "Cháu": R.grandchild, "Cháu nội": R.grandchild, "Cháu ngoại": R.grandchild,
    # ông / bà
    "Ông/Bà": R.grandparent, "Ông": R.grandparent, "Bà": R.grandparent,
    "Ông nội": R.grandparent, "Ông ngoại": R.grandparent, "Bà nội": R.grandparent,
    "Bà ngoại": R.grandparent,
    # anh / chị / em
    "Anh/Chị/Em": R.sibling, "Anh": R.sibling, "Chị": R.sibling, "Em": R.sibling,
    "Anh trai": R.sibling, "Chị gái": R.sibling, "Em trai": R.sibling, "Em gái": R.sibling,
    "Anh ruột": R.sibling, "Chị ruột": R.sibling, "Em ruột": R.sibling,
    # con dâu / con rể
    "Con dâu/Con rể": R.child_in_law, "Con dâu": R.child_in_law, "Con rể": R.child_in_law,
    "Dâu": R.child_in_law, "Rể": R.child_in_law,
    # họ hàng: uncles, aunts, great-grandchildren...
    "Họ hàng": R.other_relative, "Bác": R.other_relative, "Chú": R.other_relative,
    "Cô": R.other_relative, "Dì": R.other_relative, "Cậu": R.other_relative,
    "Mợ": R.other_relative, "Thím": R.other_relative, "Dượng": R.other_relative,
    "Chắt": R.other_relative, "Anh họ": R.other_relative, "Chị họ": R.other_relative,
    "Em họ": R.other_relative,
    # người ở cùng
    "Người ở cùng": R.other, "Ở cùng": R.other, "Ở nhờ": R.other, "Ở ghép": R.other,
    "Người thuê nhà": R.other, "Thuê nhà": R.other, "Khác": R.other,
}
# Their names in English, for the choices of an ambiguous word.
EN_NAMES = {R.head: "head", R.spouse: "spouse", R.child: "child", R.parent: "parent",
            R.grandchild: "grandchild", R.grandparent: "grandparent", R.sibling: "sibling",
            R.child_in_law: "child-in-law", R.other_relative: "relative",
            R.other: "lives with the household"}
VI_NAMES = {R.head: "chủ hộ", R.spouse: "vợ/chồng", R.child: "con", R.parent: "cha/mẹ",
            R.grandchild: "cháu", R.grandparent: "ông/bà", R.sibling: "anh/chị/em",
            R.child_in_law: "con dâu/con rể", R.other_relative: "họ hàng",
            R.other: "người ở cùng"}


def _written(raw: str) -> str:
    """As compared with diacritics: NFC, lower case, single spaces, '/' without spaces."""
    return squash_spaces(nfc(raw).lower()).replace(" / ", "/")


EXACT: dict[str, R] = {_written(word): meaning for word, meaning in WORDS.items()}
EXACT.update({value.value: value for value in R})  # the API's own values: "spouse"
_FOLDED: dict[str, dict[R, list[str]]] = defaultdict(dict)
for _word, _meaning in WORDS.items():
    _FOLDED[fold(_written(_word))].setdefault(_meaning, []).append(_word)
# A folded form → its meaning, when it has one; else the words it could be, by meaning.
FOLDED: dict[str, R] = {form: next(iter(m)) for form, m in _FOLDED.items() if len(m) == 1}
AMBIGUOUS: dict[str, dict[R, list[str]]] = {f: m for f, m in _FOLDED.items() if len(m) > 1}


class Ambiguous(ValueError):
    """A word typed without diacritics that can mean several relationships."""

    def __init__(self, choices: dict[R, list[str]]) -> None:
        super().__init__(choices)
        self.choices = choices

    def describe(self, lang: str) -> str:
        """'“Ba” (cha/mẹ) hoặc “Bà” (ông/bà)'."""
        names = EN_NAMES if lang == "en" else VI_NAMES
        parts = [f"“{' / '.join(words)}” ({names[meaning]})"
                 for meaning, words in self.choices.items()]
        return (" or " if lang == "en" else " hoặc ").join(parts)


def has_diacritics(text: str) -> bool:
    return fold(text) != squash_spaces(text.lower())


def relationship(raw: str, *, context: str = "") -> R | None:
    """The relationship a cell names, None when it is no known word; raises Ambiguous for
    a folded word of several meanings written by someone who leaves out diacritics (neither
    the cell nor `context`, the row's other text such as the name, carries any)."""
    written = _written(raw)
    folded = fold(written)
    if folded in AMBIGUOUS and not has_diacritics(written) and not has_diacritics(context):
        raise Ambiguous(AMBIGUOUS[folded])
    if written in EXACT:
        return EXACT[written]
    return FOLDED.get(folded) or EXACT.get(folded)


def words_markdown() -> str:
    """The README's list of relationship words (a test holds them equal)."""
    by_meaning: dict[R, list[str]] = defaultdict(list)
    for word, meaning in WORDS.items():
        by_meaning[meaning].append(word)
    return "\n".join(f"- `{meaning.value}`: {', '.join(words)}"
                     for meaning, words in by_meaning.items())
