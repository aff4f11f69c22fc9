"""What a need raised at the door becomes: a kind for every need category, and a subject
that is one printable line the ticket's column holds."""

from __future__ import annotations

import pytest

from domain.outreach.models import NeedCategory
from domain.tickets.models import CategoryKind
from domain.tickets.rules import NEED_KINDS, NEED_LABELS, need_subject


def test_every_need_category_has_a_kind_and_a_label():
    assert set(NEED_KINDS) == set(NeedCategory) == set(NEED_LABELS)
    assert NEED_KINDS[NeedCategory.fraud_attempt] == CategoryKind.fraud_report
    assert NEED_KINDS[NeedCategory.app_help] == CategoryKind.app_help


@pytest.mark.parametrize("description, expected", [
    ("Cần cài VNeID", "Hỗ trợ ứng dụng: Cần cài VNeID"),
    ("\n\n  Dòng đầu  \nDòng hai", "Hỗ trợ ứng dụng: Dòng đầu"),
    ("Có\tký  tự\x07 lạ", "Hỗ trợ ứng dụng: Có ký tự lạ"),
    ("   \n ", "Hỗ trợ ứng dụng"),
])
def test_the_subject_is_the_label_and_the_first_line(description, expected):
    assert need_subject(NeedCategory.app_help, description) == expected


def test_a_long_description_is_cut_to_the_column():
    subject = need_subject(NeedCategory.other, "x" * 2000)
    assert len(subject) == 200 and subject.endswith("…")
