"""The demo election: the 15 March 2026 list of the demo group's polling area as the commune
office produced it, from its own older records, with the kinds of differences the team found
by hand going door to door (deterministic for a seed, pure).

The office's list holds every eligible resident of the group, except that:
- a few people who died or moved away since are still listed (the register now says so);
- a few teenagers who turn 18 only after election day are listed;
- one person excluded by a court judgment is listed;
- a few eligible residents are missing;
- some names were typed without diacritics, one ID number has a wrong digit;
- one person is listed twice, and one listed person is unknown to the register."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.elections.eligibility import Voter, anniversary, assess
from domain.elections.models import ElectionLevel
from domain.register.demo import DemoData, ResidentSpec
from domain.register.models import ResidenceStatus
from domain.text import fold

ELECTION_DAY = date(2026, 3, 15)
LEVELS = [level.value for level in ElectionLevel]
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Địa chỉ"]
COLUMNS = {"STT": "seq", "Họ và tên": "full_name", "Ngày sinh": "birth_date",
           "Giới tính": "sex", "Số định danh cá nhân": "id_number", "Địa chỉ": "address"}
PLANTED = {"deceased": 3, "moved_away": 3, "under_age": 2, "excluded": 1,
           "missing_from_list": 4, "no_diacritics": 3, "wrong_id_digit": 1,
           "listed_twice": 1, "unknown_to_register": 1}


@dataclass
class ListPlan:
    """The office's rows (in the order it printed them) and what the register must say for
    the differences to be true: who died, who moved away, who is excluded."""

    rows: list[dict] = field(default_factory=list)
    deceased: list[str] = field(default_factory=list)  # resident spec keys
    moved_out: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    status_on: date = ELECTION_DAY - timedelta(days=75)


def _eligible(r: ResidentSpec) -> bool:
    return assess(Voter(r.birth_date, r.birth_year, r.residence_status, r.residence_since),
                  election_day=ELECTION_DAY, levels=LEVELS).eligible


def _teen(r: ResidentSpec) -> bool:
    """Turns 18 within the year after election day: an office working ahead lists them."""
    if r.birth_date is None:
        return False
    eighteen = anniversary(r.birth_date, 18)
    return ELECTION_DAY < eighteen <= ELECTION_DAY + timedelta(days=365)


def _row(r: ResidentSpec, address: str, **over) -> dict:
    return {"full_name": r.full_name, "birth_date": r.birth_date, "birth_year": r.birth_year,
            "sex": str(r.sex), "id_number": r.id_number,
            "address": address, **over}


def _plain(name: str) -> str:
    """A name typed without diacritics: "Nguyễn Thị Ánh" → "Nguyen Thi Anh"."""
    return " ".join(word.capitalize() for word in fold(name).split())


def _wrong_digit(id_number: str, rng: random.Random) -> str:
    last = int(id_number[-1])
    return id_number[:-1] + str((last + rng.randint(1, 9)) % 10)


def plan_demo_list(data: DemoData, *, seed: int) -> ListPlan:
    """The office's list of the demo group for `ELECTION_DAY`, and the register's changes."""
    rng = random.Random(seed * 31 + 15)
    plan = ListPlan()
    people = [(r, f"{h.house_number} {h.street_name}") for h in data.households
              for r in h.members]
    eligible = [i for i, (r, _) in enumerate(people)
                if _eligible(r) and r.residence_status == ResidenceStatus.permanent
                and r.id_number and r.birth_date]
    picked = rng.sample(eligible, sum(PLANTED[k] for k in (
        "deceased", "moved_away", "excluded", "missing_from_list", "no_diacritics",
        "wrong_id_digit", "listed_twice")))
    groups: dict[str, set[int]] = {}
    for kind in ("deceased", "moved_away", "excluded", "missing_from_list", "no_diacritics",
                 "wrong_id_digit", "listed_twice"):
        groups[kind] = {picked.pop() for _ in range(PLANTED[kind])}
    teens = [i for i, (r, _) in enumerate(people) if _teen(r)]
    groups["under_age"] = set(rng.sample(teens, min(PLANTED["under_age"], len(teens))))
    plan.deceased = [people[i][0].key for i in sorted(groups["deceased"])]
    plan.moved_out = [people[i][0].key for i in sorted(groups["moved_away"])]
    plan.excluded = [people[i][0].key for i in sorted(groups["excluded"])]
    listed = set(eligible) | set().union(*(groups[k] for k in (
        "deceased", "moved_away", "excluded", "under_age")))
    listed |= {i for i, (r, _) in enumerate(people) if _eligible(r)}
    listed -= groups["missing_from_list"]
    for i, (r, address) in enumerate(people):
        if i not in listed:
            continue
        if i in groups["no_diacritics"]:
            plan.rows.append(_row(r, address, full_name=_plain(r.full_name)))
        elif i in groups["wrong_id_digit"]:
            plan.rows.append(_row(r, address, id_number=_wrong_digit(r.id_number or "", rng)))
        else:
            plan.rows.append(_row(r, address))
        if i in groups["listed_twice"]:  # once more, under the address of a former house
            plan.rows.append(_row(r, address))
    stranger = {"full_name": "Võ Văn Khách", "birth_date": date(1979, 4, 30),
                "birth_year": 1979, "sex": "male", "id_number": "079079" + f"{seed:06d}"[-6:],
                "address": people[len(people) // 2][1]}
    plan.rows.insert(len(plan.rows) // 2, stranger)
    return plan


def cells(row: dict, seq: int) -> dict[str, str]:
    """The row as the office's spreadsheet printed it."""
    birth = row["birth_date"].strftime("%d/%m/%Y") if row["birth_date"] else str(
        row["birth_year"] or "")
    return {"STT": str(seq), "Họ và tên": row["full_name"], "Ngày sinh": birth,
            "Giới tính": "Nam" if row["sex"] == "male" else "Nữ",
            "Số định danh cá nhân": row["id_number"] or "",
            "Địa chỉ": row["address"] or ""}
