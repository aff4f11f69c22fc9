"""The words of `q` and the pattern that finds a folded word in text stored as written."""

from __future__ import annotations

import re

import pytest

from domain.text import (
    MAX_QUERY_WORDS,
    fold,
    folded_pattern,
    name_exact,
    name_fold,
    query_words,
)
from tests.name_order import ADDRESSES, BLANK_QUERIES, LETTERS


class TestQueryWords:
    @pytest.mark.parametrize("q", BLANK_QUERIES)
    def test_a_query_of_punctuation_alone_has_no_word(self, q):
        assert query_words(q) == query_words(q, name_exact) == []

    @pytest.mark.parametrize(("q", "folded", "exact"), [
        ('"Trần Phú",', ["tran", "phu"], ["trần", "phú"]),
        ("«Hoá»", ["hoa"], ["hóa"]),  # the tone style is that of the bare word
        ("(Siu H’Prông)", ["siu", "hprong"], ["siu", "hprông"]),
        ("'Đức' ?", ["duc"], ["đức"]),
        ("34/2 HK-0042", ["34/2", "hk-0042"], ["34/2", "hk-0042"]),
        ("- Lê  - Lợi -", ["le", "loi"], ["lê", "lợi"]),
    ])
    def test_punctuation_around_a_word_is_not_part_of_it(self, q, folded, exact):
        assert query_words(q) == folded
        assert query_words(q, name_exact) == exact

    def test_at_most_eight_words(self):
        assert query_words(" ".join(f"w{i}" for i in range(20))) == [
            f"w{i}" for i in range(MAX_QUERY_WORDS)]


class TestFoldedPattern:
    @pytest.mark.parametrize("letter", LETTERS)
    def test_every_letter_is_found_by_its_folded_form_only(self, letter):
        base = fold(letter)
        assert re.fullmatch(folded_pattern(base), letter)
        for other in "adeiouy":
            if other != base:
                assert not re.fullmatch(folded_pattern(other), letter)

    @pytest.mark.parametrize("text", ADDRESSES)
    def test_it_finds_exactly_what_the_folded_text_holds(self, text):
        """Every piece of every folded word is found, in the text as written; a piece the
        folded text lacks is not."""
        folded = name_fold(text)
        for word in folded.split():
            for i in range(len(word)):
                for j in range(i + 1, len(word) + 1):
                    assert re.search(folded_pattern(word[i:j]), text), word[i:j]
        for absent in ("tran phu", "hbongg", "quy nhom", "dao.", "34/3", "loij"):
            for word in absent.split():
                assert (re.search(folded_pattern(word), text) is not None) == (
                    word in folded), word

    def test_punctuation_in_a_word_is_literal(self):
        assert re.search(folded_pattern("34/2"), "số 34/2") and not re.search(
            folded_pattern("34/2"), "số 3432")
        assert not re.search(folded_pattern("p."), "phường") and re.search(
            folded_pattern("p."), "P. Đống Đa")
        for char in "[](){}.*+?^$|\\":
            assert re.search(folded_pattern(char), f"a{char}b")


def _fold_whole(value: str) -> str:
    """`fold` as the whole string's NFD, marks stripped, lower case (its definition)."""
    import unicodedata

    from domain.text import squash_spaces

    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return squash_spaces(stripped.lower())


def test_fold_one_character_at_a_time_is_fold_of_the_whole_string():
    """The translate table folds each character alone: over every Vietnamese letter with
    every tone (composed and decomposed), Latin-1 and Latin Extended letters, Greek,
    Cyrillic, Hangul and stray combining marks, it gives what the whole string's NFD
    gives."""
    import random
    import unicodedata

    from domain.text import fold

    pool = [chr(c) for c in (*range(0x20, 0x250), *range(0x300, 0x370), *range(0x370, 0x400),
                             *range(0x400, 0x460), *range(0x1E00, 0x1F00), 0xAC00, 0xD7A3)]
    pool += [unicodedata.normalize("NFD", c) for c in "ăâđêôơưàảãáạằẳẵắặầẩẫấậềểễếệ"
             "ìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"] + ["  ", "\t"]
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(1, 12)))
        assert fold(text) == _fold_whole(text), repr(text)
