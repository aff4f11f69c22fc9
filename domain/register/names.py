"""Word lists and sampling helpers for the demo and benchmark generators.

Names, streets, birth-registration provinces, household sizes and family shapes.

Weights are rough shares for south-central Việt Nam (Bình Định): Nguyễn about 38%,
Huỳnh and Võ more common than in the north. Every string is NFC.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from itertools import accumulate

from domain.register.models import Relationship
from domain.text import nfc


class Weighted:
    """Deterministic weighted choice over an ordered list (no hashing, no sets)."""

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.values = [nfc(value) for value, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]

    def deck(self, size: int) -> list[str]:
        """`size` values in proportion to their weights (each at least once), in list order."""
        weights = [c - p for p, c in zip((0.0, *self.cum[:-1]), self.cum, strict=True)]
        counts = split_count(size, weights)
        return [v for v, n in zip(self.values, counts, strict=True) for _ in range(max(n, 1))]


FAMILY_NAMES = Weighted([
    ("Nguyễn", 37), ("Trần", 11), ("Lê", 9), ("Phạm", 5), ("Huỳnh", 4.5), ("Võ", 5),
    ("Phan", 4), ("Hoàng", 1.5), ("Đặng", 2), ("Bùi", 1.5), ("Đỗ", 1.5), ("Ngô", 1.5),
    ("Hồ", 2), ("Trương", 1.5), ("Dương", 1), ("Đoàn", 1.2), ("Đinh", 1), ("Lý", 0.6),
    ("Đào", 0.6), ("Mai", 0.6), ("Cao", 0.6), ("Lương", 0.5), ("Hà", 0.5), ("Châu", 0.6),
    ("Lâm", 0.5), ("Tô", 0.4), ("Tạ", 0.3), ("Lưu", 0.3), ("Thái", 0.4), ("La", 0.3),
])  # fmt: skip

# Middle names by generation: Văn/Thị dominate older records, rarer among the young.
_MIDDLE_OLD = {
    "male": [("Văn", 60), ("Hữu", 8), ("Đức", 6), ("Ngọc", 5), ("Công", 5), ("Thanh", 5),
             ("Xuân", 4), ("Minh", 4), ("Đình", 3), ("Tấn", 4), ("Quang", 3)],
    "female": [("Thị", 75), ("Ngọc", 5), ("Thanh", 4), ("Kim", 4), ("Thu", 3), ("Xuân", 3),
               ("Hồng", 3), ("Bích", 2), ("Mỹ", 2)],
}  # fmt: skip
_MIDDLE_YOUNG = {
    "male": [("Văn", 14), ("Minh", 14), ("Quốc", 10), ("Hữu", 6), ("Thanh", 7), ("Đức", 8),
             ("Gia", 8), ("Hoàng", 7), ("Anh", 6), ("Tấn", 5), ("Công", 4), ("Bảo", 6),
             ("Nhật", 5)],
    "female": [("Thị", 20), ("Ngọc", 12), ("Thanh", 7), ("Minh", 6), ("Bảo", 8), ("Khánh", 7),
               ("Thu", 5), ("Mỹ", 6), ("Phương", 6), ("Hoài", 4), ("Kim", 5), ("Như", 6),
               ("Gia", 4)],
}  # fmt: skip
MIDDLE_NAMES = {
    (sex, young): Weighted(table[sex])
    for young, table in ((False, _MIDDLE_OLD), (True, _MIDDLE_YOUNG))
    for sex in ("male", "female")
}
# Two-word middle names of younger people, often with the mother's family name in them.
COMPOUND_MIDDLE = {
    "male": Weighted([(name, 1) for name in (
        "Hoàng Minh", "Gia Minh", "Đức Minh", "Lê Gia", "Trần Quốc", "Nguyễn Minh", "Võ Hoàng"
    )]),
    "female": Weighted([(name, 1) for name in (
        "Ngọc Bảo", "Phương Khánh", "Lê Minh", "Nguyễn Ngọc", "Bảo Ngọc", "Trần Bảo", "Huỳnh Như"
    )]),
}  # fmt: skip

GIVEN_NAMES = {
    "male": Weighted([(name, 1) for name in (
        "An Anh Bảo Bình Cảnh Chiến Cường Danh Dũng Duy Đạt Đông Đức Hải Hào Hậu Hiển "
        "Hiếu Hòa Hoàng Hùng Huy Hưng Khải Khang Khánh Khoa Kiên Lâm Linh Long Lộc Lợi "
        "Luân Minh Nam Nghĩa Nhân Nhật Phát Phong Phú Phúc Phước Quân Quang Quốc Sang "
        "Sơn Tài Tâm Tân Thắng Thành Thiện Thịnh Thông Tiến Tín Toàn Trí Trung Trường "
        "Tú Tuấn Tùng Vinh Vũ Vương Khôi Đăng Lực Thuận"
    ).split()]),
    "female": Weighted([(name, 1) for name in (
        "An Anh Ánh Bích Châu Chi Diễm Diệu Dung Duyên Giang Hà Hạnh Hằng Hân Hiền Hoa "
        "Hồng Huệ Hương Hường Khánh Lan Liên Linh Loan Lộc Mai My Nga Ngân Ngọc Nguyệt "
        "Nhàn Nhi Nhung Như Oanh Phương Phượng Quyên Quỳnh Sương Tâm Thảo Thanh Thắm "
        "Thơ Thu Thùy Thủy Thư Tiên Trang Trâm Trinh Tuyết Uyên Vân Vi Vy Xuân Yến Hiên"
    ).split()]),
}

# Streets of the demo group; Trần Phú is the busiest.
DEMO_STREETS = [
    ("Trần Phú", 34), ("Lê Hồng Phong", 14), ("Nguyễn Huệ", 12), ("Quang Trung", 11),
    ("Trần Hưng Đạo", 10), ("Ngô Gia Tự", 10), ("Hai Bà Trưng", 9),
]  # fmt: skip
STREET_NAMES = [nfc(name) for name in (
    "Trần Phú, Lê Hồng Phong, Nguyễn Huệ, Quang Trung, Trần Hưng Đạo, Ngô Gia Tự, "
    "Hai Bà Trưng, Lê Lợi, Lý Thường Kiệt, Nguyễn Trãi, Phan Bội Châu, Bạch Đằng, "
    "Hùng Vương, Võ Thị Sáu, Nguyễn Thị Minh Khai, Điện Biên Phủ, Tăng Bạt Hổ, "
    "Xuân Diệu, Đống Đa, Nguyễn Lữ, Nguyễn Nhạc, Bùi Thị Xuân, Đào Duy Từ, Phạm Hùng"
).split(", ")]  # fmt: skip

# Where births were registered: mostly Bình Định, then Gia Lai and the big cities.
BIRTH_PROVINCES = Weighted([
    ("052", 80), ("064", 6), ("079", 4), ("001", 2), ("048", 2.5), ("051", 1.5),
    ("054", 1.5), ("066", 1), ("049", 1), ("056", 0.5),
])  # fmt: skip
MOVER_PROVINCES = Weighted([
    ("052", 30), ("064", 18), ("079", 10), ("051", 8), ("054", 7), ("066", 6), ("048", 5),
    ("049", 5), ("062", 4), ("001", 3), ("040", 2), ("038", 2),
])  # fmt: skip

# Two-digit network prefixes after +84 that phonenumbers accepts for any 7-digit rest.
MOBILE_PREFIXES = (
    "32 33 34 35 36 37 38 39 86 96 97 98 70 76 77 78 79 90 93 81 82 83 84 85 88 91 94 "
    "56 58"
).split()

SIZE_WEIGHTS = (0.07, 0.13, 0.20, 0.27, 0.17, 0.09, 0.04, 0.03)  # households of 1..8
SIZE_CUM = tuple(accumulate(SIZE_WEIGHTS))
SIZE_MEAN = sum(size * weight for size, weight in enumerate(SIZE_WEIGHTS, start=1))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def between(rng: random.Random, lo: date, hi: date) -> date:
    return hi if lo >= hi else lo + timedelta(days=rng.randint(0, (hi - lo).days))


def split_count(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of `total` by `weights` (ties broken by position)."""
    shares = [total * w / sum(weights) for w in weights]
    counts = [math.floor(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def household_sizes(rng: random.Random, households: int, residents: int) -> Iterator[int]:
    """Household sizes 1..8 summing exactly to `residents`, steered towards the mean left."""
    if not households <= residents <= 8 * households:
        raise ValueError("residents must be between households and 8 × households")
    left_h, left_r = households, residents
    while left_h:
        shift = left_r / left_h - SIZE_MEAN
        draw = rng.random()
        size = 1 + sum(draw > c for c in SIZE_CUM[:-1]) + math.floor(shift)
        size += rng.random() < shift - math.floor(shift)
        size = max(1, left_r - 8 * (left_h - 1), min(8, left_r - (left_h - 1), size))
        left_h, left_r = left_h - 1, left_r - size
        yield size


def plan_family(
    rng: random.Random, size: int, pick: Callable[[random.Random], str]
) -> list[tuple[Relationship, str, int, str]]:
    """(relationship, sex, age, family name) of each member, the head first.

    Ages are consistent: parents 19+ years older than their children, spouses close in age.
    Children take their father's family name; wives keep their own.
    """
    sex = "male" if rng.random() < 0.72 else "female"
    other = "female" if sex == "male" else "male"
    family = pick(rng)
    if size == 1:
        return [(Relationship.head, sex, rng.randint(20, 88), family)]
    rest = size - 1
    elder = rest >= 3 and rng.random() < 0.1 + 0.08 * rest
    spouse = rng.random() < (0.75 if elder else 0.9)
    kids = rest - spouse
    with_parents = not elder and kids >= 1 and rng.random() < 0.15
    if elder:
        age = rng.randint(56, 86)
    elif with_parents:
        age = rng.randint(28, 52)
    else:
        age = max(int(rng.triangular(23, 75, 42)), 22 + 2 * kids)
    people = [(Relationship.head, sex, age, family)]
    # The other parent of the head's children: the spouse, or someone no longer here.
    shift = rng.randint(-7, 2) if sex == "male" else rng.randint(-2, 7)
    partner = max(20, age + shift)
    partner_family = pick(rng)
    if spouse:
        people.append((Relationship.spouse, other, partner, partner_family))
    mother = age if sex == "female" else partner
    youngest_parent = min(age, partner)
    father_family = family if sex == "male" else partner_family  # children take his name
    if with_parents:
        for parent_sex in ("male", "female")[: 1 + (kids >= 2 and rng.random() < 0.5)]:
            parent_age = min(95, age + rng.randint(22, 34))
            parent_family = family if parent_sex == "male" else pick(rng)
            people.append((Relationship.parent, parent_sex, parent_age, parent_family))
            kids -= 1
    if elder:
        married_age = rng.randint(max(20, mother - 40), youngest_parent - 19)
        in_law_age = max(20, married_age + rng.randint(-5, 5))
        son = rng.random() < 0.7
        in_law_family = pick(rng)
        people.append((Relationship.child, "male" if son else "female", married_age,
                       father_family))
        people.append((Relationship.child_in_law, "female" if son else "male", in_law_age,
                       in_law_family))
        grand_family = father_family if son else in_law_family
        grand = min(kids - 2, 3)
        top = min(married_age, in_law_age) - 19
        for _ in range(grand):
            people.append((Relationship.grandchild, rng.choice(("male", "female")),
                           rng.randint(max(0, top - 20), top), grand_family))
        kids -= 2 + grand
    ages = sorted((rng.randint(max(0, mother - 42), youngest_parent - 19) for _ in range(kids)),
                  reverse=True)
    for child_age in ages:
        people.append((Relationship.child, rng.choice(("male", "female")), child_age,
                       father_family))
    return people
