"""A synthetic register and official voter lists with planted differences, and the truth.

Deterministic by seed. The register comes from `domain.register.demo.generate_population`
(Vietnamese names, households with addresses, ID numbers agreeing with birth and sex);
one polling area per residential group. The lists start as the register's eligible people
(as `domain.elections.eligibility.assess` decides for the election), copied exactly, in
household order; then every kind of difference is planted on distinct people:

- missing_from_list: an eligible person left off;
- under_age: a 16- or 17-year-old listed, among them people born the day after the 18th
  birthday cut-off (and, planted as NO difference, people whose 18th birthday is election
  day itself, listed);
- deceased, moved_away: the register says so, the list still has them;
- excluded: an active exclusion in the register, the list still has them;
- listed_twice: a second row for the same person, in the same area, in another area of the
  run, or in another commune's list (`other_entries`), with or without the ID number;
- unknown_to_register: a row for someone the register does not know;
- data_mismatch: the name typed without diacritics, a wrong diacritic, a misspelt letter,
  day and month swapped, one wrong digit of the ID number, the other sex; with the ID
  number (half of them) or without;
- ambiguous_match: two people of one area with the same name and birth year (the
  register is changed to make them namesakes), both listed with the year only, no ID
  number, no address; and, planted as NO difference, namesake pairs whose rows carry
  their full birth dates (must be linked, each to the right one).

Row and person keys are random (from the seed), so no linker can read the truth off their
order (a tie broken by the lowest key would otherwise pick the right namesake).

A share of ordinary rows (`no_id_share`) is listed without the ID number, so linking by
name and birth is exercised on rows that differ in nothing.

`truth` holds every planted difference as the `eval_key` of the finding that should
report it, so a benchmark compares sets.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from domain.elections.eligibility import Eligibility, Voter, anniversary, assess
from domain.elections.matching import Entry, Person
from domain.elections.models import DiscrepancyKind, ElectionLevel, ExclusionReason
from domain.elections.reconcile import Finding
from domain.register.demo import HouseholdSpec, StreetSpec, UnitSpec, generate_population
from domain.register.models import Relationship, ResidenceStatus
from domain.text import fold

ELECTION_DAY = date(2026, 3, 15)
LEVELS = tuple(ElectionLevel)
K = DiscrepancyKind

# Letters whose mark is changed for a "wrong diacritic" (same base letter, another tone).
_RETONE = {"à": "á", "á": "à", "ả": "ã", "ã": "ả", "ạ": "ả", "ă": "â", "â": "ă", "ê": "e",
           "ế": "ề", "ề": "ế", "ệ": "ễ", "ì": "í", "í": "ì", "ị": "ỉ", "ò": "ó", "ó": "ò",
           "ô": "ơ", "ơ": "ô", "ố": "ồ", "ồ": "ố", "ờ": "ớ", "ớ": "ờ", "ù": "ú", "ú": "ù",
           "ư": "u", "ụ": "ủ", "ữ": "ự", "ý": "ỳ", "ỳ": "ý", "ễ": "ệ"}
_SPELL = "bcdghklmnpqrstvx"
_STRANGER_FAMILY = ["Khổng", "Ông", "Quách", "Văn", "Kiều", "Âu", "Doãn", "Khúc"]
_STRANGER_GIVEN = ["Khải", "Thịnh", "Ngạn", "Tường", "Khuê", "Diệp", "Quỳnh", "Lộc", "Thái"]


@dataclass(slots=True)
class Register:
    """The register as `differences` and the SQL loader read it."""

    people: list[Person] = field(default_factory=list)
    status: list[ResidenceStatus] = field(default_factory=list)
    since: list[date | None] = field(default_factory=list)
    exclusions: dict[uuid.UUID, ExclusionReason] = field(default_factory=dict)
    # What a loader into the real schema needs (bench/voters_job.py): the units and streets
    # as generated, each area's group key, each household's spec without its members, and
    # each person's relationship to the head.
    units: list[UnitSpec] = field(default_factory=list)
    streets: list[StreetSpec] = field(default_factory=list)
    area_group: dict[uuid.UUID, str] = field(default_factory=dict)
    households: dict[uuid.UUID, HouseholdSpec] = field(default_factory=dict)
    relationship: list[Relationship] = field(default_factory=list)

    def eligibility(self) -> dict[uuid.UUID, Eligibility]:
        return {p.key: assess(Voter(p.birth_date, p.birth_year, st, since),
                              election_day=ELECTION_DAY, levels=LEVELS,
                              exclusion=self.exclusions.get(p.key))
                for p, st, since in zip(self.people, self.status, self.since, strict=True)}


@dataclass(slots=True)
class Synth:
    seed: int
    register: Register
    eligibility: dict[uuid.UUID, Eligibility]
    entries: list[Entry]
    other_entries: list[Entry]  # another commune's lists of the same election
    truth_person: dict[uuid.UUID, uuid.UUID | None]  # entry → the person it stands for
    truth: dict[DiscrepancyKind, set[tuple[object, ...]]]
    planted: dict[str, int]  # how many of each planted variant
    areas: list[uuid.UUID]


def eval_key(finding: Finding, truth_person: dict[uuid.UUID, uuid.UUID | None],
             ) -> tuple[object, ...]:
    """What a finding claims, in the form `truth` holds it."""
    kind = finding.kind
    if kind == K.missing_from_list:
        return (finding.person_key,)
    if kind == K.unknown_to_register:
        return (finding.entry_key,)
    if kind == K.listed_twice:
        rows = frozenset({finding.entry_key, *finding.other_entry_keys})
        return (finding.person_key or truth_person.get(finding.entry_key), rows)
    if kind == K.data_mismatch:
        return (finding.entry_key, finding.person_key, frozenset(finding.fields))
    if kind == K.ambiguous_match:
        wanted = truth_person.get(finding.entry_key)  # type: ignore[arg-type]
        return (finding.entry_key, any(key == wanted for key, _ in finding.candidates))
    return (finding.entry_key, finding.person_key)


def _no_diacritics(name: str) -> str:
    return " ".join(word.capitalize() for word in fold(name).split(" "))


def _retone(name: str, rng: random.Random) -> str | None:
    spots = [i for i, c in enumerate(name) if c.lower() in _RETONE]
    if not spots:
        return None
    i = rng.choice(spots)
    c = name[i]
    new = _RETONE[c.lower()]
    new = new.upper() if c.isupper() else new
    out = name[:i] + new + name[i + 1:]
    return out if fold(out) == fold(name) and out != name else None


def _spell_spots(name: str) -> list[tuple[int, int]]:
    return [(w, i) for w, word in enumerate(name.split(" ")) for i, c in enumerate(word)
            if i > 0 and c.isascii() and c.isalpha() and len(word) >= 3]


def _misspell(name: str, rng: random.Random) -> str:
    """One letter of the name replaced by another (a name with no such letter is never
    chosen: see `generate`)."""
    words = name.split(" ")
    w, i = rng.choice(_spell_spots(name))
    word = words[w]
    letter = rng.choice([c for c in _SPELL if c != word[i].lower()])
    words[w] = word[:i] + letter + word[i + 1:]
    return " ".join(words)


def _swap(day: date) -> date | None:
    if day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)


def _wrong_digit(number: str, rng: random.Random) -> str:
    i = rng.randrange(6, 12)  # the random serial part
    digit = rng.choice([d for d in "0123456789" if d != number[i]])
    return number[:i] + digit + number[i + 1:]


def _entry(key: uuid.UUID, area: uuid.UUID, p: Person, **over: object) -> Entry:
    values: dict[str, object] = dict(
        key=key, area_key=area, full_name=p.full_name, birth_date=p.birth_date,
        birth_year=p.birth_year, sex=p.sex, id_number=p.id_number, address=p.address)
    values.update(over)
    return Entry(**values)  # type: ignore[arg-type]


def load_register(seed: int, residents: int, *, communes: int = 1,
                  groups_per_commune: int | None = None) -> tuple[Register, list[uuid.UUID]]:
    """The register of `residents` people in `communes` communes, and the area keys."""
    groups = groups_per_commune or max(1, residents // 2500)
    households = max(1, round(residents / 3.4))
    reg = Register()
    keys = random.Random(seed * 104729 + 11)  # keys in no order related to the truth
    area_of: dict[str, uuid.UUID] = {}
    n = 0
    for chunk in generate_population(seed, communes=communes, groups_per_commune=groups,
                                     households=households, residents=residents,
                                     chunk_size=5000):
        reg.units.extend(chunk.units)
        reg.streets.extend(chunk.streets)
        for household in chunk.households:
            area = area_of.get(household.group_key)
            if area is None:
                area = area_of[household.group_key] = uuid.UUID(int=(3 << 96) + len(area_of))
                reg.area_group[area] = household.group_key
            address = f"{household.house_number} {household.street_name}"
            hkey = uuid.UUID(int=(4 << 96) + n)
            reg.households[hkey] = replace(household, members=())
            for member in household.members:
                n += 1
                reg.people.append(Person(
                    uuid.UUID(int=keys.getrandbits(128)), member.full_name,
                    member.birth_date,
                    member.birth_year, member.sex.value, member.id_number, address, hkey,
                    area))
                reg.relationship.append(member.relationship)
                reg.status.append(member.residence_status)
                reg.since.append(member.residence_since)
    return reg, list(area_of.values())


def generate(seed: int = 1, residents: int = 30_000, *, rate: float = 0.006,
             no_id_share: float = 0.10, communes: int = 1,
             groups_per_commune: int | None = None) -> Synth:
    """The register, the lists and the truth (see the module's text). `rate`: the share
    of eligible people given each planted difference."""
    reg, areas = load_register(seed, residents, communes=communes,
                               groups_per_commune=groups_per_commune)
    rng = random.Random(seed * 7919 + 1)
    people = reg.people
    first = reg.eligibility()
    cut = anniversary(ELECTION_DAY, -18)  # born on or before: of age
    eligible = [i for i, p in enumerate(people) if first[p.key].eligible
                and reg.status[i] == ResidenceStatus.permanent]
    rng.shuffle(eligible)
    k = max(4, int(len(eligible) * rate))
    pool = iter(eligible)

    def take(count: int, ok=lambda i: True) -> list[int]:
        got: list[int] = []
        for i in pool:
            if ok(i):
                got.append(i)
                if len(got) == count:
                    break
        return got

    planted: dict[str, int] = {}
    truth: dict[DiscrepancyKind, set[tuple[object, ...]]] = defaultdict(set)
    row_of: dict[int, list[tuple[uuid.UUID, uuid.UUID]]] = defaultdict(list)
    entries: list[Entry] = []
    truth_person: dict[uuid.UUID, uuid.UUID | None] = {}
    row_keys = random.Random(seed * 7 + 5)
    seen_keys: set[uuid.UUID] = set()

    def new_key() -> uuid.UUID:  # random, so that no linker can read the truth off the order
        while True:
            key = uuid.UUID(int=row_keys.getrandbits(128))
            if key not in seen_keys:
                seen_keys.add(key)
                return key

    # Who gets what (distinct people).
    missing = set(take(k))
    dead = take(k)
    moved = take(k)
    excluded = take(k)
    dup_same, dup_area, dup_ext = take(k // 2 + 1), take(k // 2 + 1), take(k // 2 + 1)
    variants: dict[str, list[int]] = {
        "no_diacritics": take(k, lambda i: fold(people[i].full_name) != people[i].full_name
                              and _no_diacritics(people[i].full_name) != people[i].full_name),
        "wrong_diacritic": take(k, lambda i: _retone(people[i].full_name,
                                                     random.Random(i)) is not None),
        "spelling": take(k, lambda i: bool(_spell_spots(people[i].full_name))),
        "swapped_date": take(k, lambda i: people[i].birth_date is not None
                             and _swap(people[i].birth_date) is not None),  # type: ignore[arg-type]
        "wrong_id_digit": take(k, lambda i: people[i].id_number is not None),
        "other_sex": take(k),
    }
    def adult_dated(i: int) -> bool:
        born = people[i].birth_date
        return born is not None and born.year < cut.year - 1

    twins_amb = take(2 * (k // 2 + 1), adult_dated)
    twins_ok = take(2 * (k // 2 + 1), adult_dated)

    for i in dead:
        reg.status[i] = ResidenceStatus.deceased
    for i in moved:
        reg.status[i] = ResidenceStatus.moved_out
    reasons = list(ExclusionReason)
    for i in excluded:
        reg.exclusions[people[i].key] = rng.choice(reasons)

    def make_twins(ids: list[int]) -> list[tuple[int, int]]:
        pairs = []
        for a, b in zip(ids[0::2], ids[1::2], strict=False):
            pa, pb = people[a], people[b]
            assert pa.birth_date is not None
            day = pa.birth_date
            while day in (pa.birth_date, _swap(pa.birth_date)):
                day = date(pa.birth_date.year, 1, 1) + timedelta(days=rng.randrange(365))
            people[b] = Person(pb.key, pa.full_name, day, day.year, pa.sex, pb.id_number,
                               pb.address, pb.household_key, pb.area_key)
            pairs.append((a, b))
        return pairs

    amb_pairs = make_twins(twins_amb)
    ok_pairs = make_twins(twins_ok)
    planted["namesakes_ambiguous"] = 2 * len(amb_pairs)
    planted["namesakes_resolvable"] = 2 * len(ok_pairs)

    # Minors on the list, and the 18th birthday on election day (eligible, no difference).
    minors = [i for i, p in enumerate(people)
              if [r.value for r in first[p.key].reasons] == ["under_age"]
              and p.birth_date is not None
              and anniversary(p.birth_date, 16) <= ELECTION_DAY
              and reg.status[i] == ResidenceStatus.permanent]
    rng.shuffle(minors)
    under = minors[:k]
    on_the_day = minors[k:k + k // 2]
    for n, i in enumerate(under[: k // 3]):  # born the day after the cut-off
        p = people[i]
        people[i] = Person(p.key, p.full_name, cut + timedelta(days=1), cut.year, p.sex,
                           p.id_number, p.address, p.household_key, p.area_key)
        del n
    for i in on_the_day:  # 18 exactly on election day: eligible
        p = people[i]
        people[i] = Person(p.key, p.full_name, cut, cut.year, p.sex, p.id_number,
                           p.address, p.household_key, p.area_key)
    planted["under_age"] = len(under)
    planted["eighteen_on_election_day"] = len(on_the_day)

    eligibility = reg.eligibility()
    variant_of: dict[int, str] = {i: name for name, ids in variants.items() for i in ids}
    twin_amb_set = {i for pair in amb_pairs for i in pair}
    twin_ok_set = {i for pair in ok_pairs for i in pair}
    listed_ineligible = set(dead) | set(moved) | set(excluded) | set(under)
    no_id_rng = random.Random(seed * 31 + 7)

    # The list, area by area in the register's (household) order.
    for i, p in enumerate(people):
        listed = (eligibility[p.key].eligible and i not in missing) or i in listed_ineligible
        if not listed:
            continue
        assert p.area_key is not None
        key = new_key()
        fields: tuple[str, ...] = ()
        over: dict[str, object] = {}
        variant = variant_of.get(i)
        if i in twin_amb_set:
            over = dict(birth_date=None, id_number=None, address=None)
        elif i in twin_ok_set:
            over = dict(id_number=None, address=None)
        elif variant is not None:
            with_id = no_id_rng.random() < 0.5
            if variant == "no_diacritics":
                over, fields = {"full_name": _no_diacritics(p.full_name)}, (
                    "full_name:diacritics",)
            elif variant == "wrong_diacritic":
                over = {"full_name": _retone(p.full_name, random.Random(i))}
                fields = ("full_name:diacritics",)
            elif variant == "spelling":
                over, fields = {"full_name": _misspell(p.full_name, rng)}, (
                    "full_name:spelling",)
            elif variant == "swapped_date":
                over, fields = {"birth_date": _swap(p.birth_date)}, (  # type: ignore[arg-type]
                    "birth_date",)
            elif variant == "wrong_id_digit":
                over, fields = {"id_number": _wrong_digit(p.id_number, rng)}, (  # type: ignore[arg-type]
                    "id_number",)
                with_id = True
            elif variant == "other_sex":
                over, fields = {"sex": "female" if p.sex == "male" else "male"}, ("sex",)
            if not with_id:
                over["id_number"] = None
                fields = tuple(f for f in fields if f != "id_number")
            planted[variant] = planted.get(variant, 0) + 1
        elif no_id_rng.random() < no_id_share:
            over = {"id_number": None}
        entry = _entry(key, p.area_key, p, **over)
        entries.append(entry)
        truth_person[key] = p.key
        row_of[i].append((key, p.area_key))
        if fields:
            truth[K.data_mismatch].add((key, p.key, frozenset(fields)))
        if i in twin_amb_set:
            truth[K.ambiguous_match].add((key, True))
        for reason in eligibility[p.key].reasons:
            kind = {"under_age": K.under_age, "deceased": K.deceased,
                    "moved_away": K.moved_away}.get(reason.value, K.excluded)
            truth[kind].add((key, p.key))
    planted["missing_from_list"] = len(missing)
    planted["deceased"], planted["moved_away"] = len(dead), len(moved)
    planted["excluded"] = len(excluded)
    for i in missing:
        truth[K.missing_from_list].add((people[i].key,))

    # Listed twice: the same area, another area of the run, another commune's list.
    other_entries: list[Entry] = []
    for n, i in enumerate(dup_same + dup_area):
        p = people[i]
        (first_key, area), = row_of[i]
        if i in dup_area and len(areas) > 1:
            area = areas[(areas.index(area) + 1) % len(areas)]
        over = {"id_number": None} if n % 2 else {}
        key = new_key()
        entries.append(_entry(key, area, p, **over))
        truth_person[key] = p.key
        truth[K.listed_twice].add((p.key, frozenset({first_key, key})))
    planted["listed_twice_same_area"] = len(dup_same)
    planted["listed_twice_other_area"] = len(dup_area)
    external_area = uuid.UUID(int=(5 << 96))
    for i in dup_ext:
        p = people[i]
        (first_key, _), = row_of[i]
        key = new_key()
        other_entries.append(_entry(key, external_area, p, address="1 Đường Khác"))
        truth_person[key] = p.key
        truth[K.listed_twice].add((p.key, frozenset({first_key, key})))
    planted["listed_twice_other_commune"] = len(dup_ext)

    # Strangers: on our lists (unknown to the register) and on the other commune's list.
    known = {(fold(p.full_name), p.birth_date) for p in people}
    stranger_rng = random.Random(seed * 131 + 3)

    def stranger(key: uuid.UUID, area: uuid.UUID) -> Entry:
        while True:
            sex = stranger_rng.choice(("male", "female"))
            name = (f"{stranger_rng.choice(_STRANGER_FAMILY)} "
                    f"{'Văn' if sex == 'male' else 'Thị'} {stranger_rng.choice(_STRANGER_GIVEN)}")
            birth = date(1950, 1, 1) + timedelta(days=stranger_rng.randrange(20_000))
            if (fold(name), birth) not in known:
                break
        number = (f"0{stranger_rng.randrange(10, 99)}{'0' if sex == 'male' else '1'}"
                  f"{birth.year % 100:02d}{stranger_rng.randrange(10**6):06d}")
        if stranger_rng.random() < 0.5:
            number = None  # type: ignore[assignment]
        return Entry(key, area, name, birth, birth.year, sex, number,
                     f"{stranger_rng.randrange(1, 300)} Nguyễn Huệ")

    for n in range(k):
        key = new_key()
        entries.append(stranger(key, areas[n % len(areas)]))
        truth_person[key] = None
        truth[K.unknown_to_register].add((key,))
    planted["unknown_to_register"] = k
    for _ in range(k):
        key = new_key()
        other_entries.append(stranger(key, external_area))
        truth_person[key] = None
    return Synth(seed, reg, eligibility, entries, other_entries, truth_person, truth, planted,
                 areas)


def score(findings: Iterable[Finding], synth: Synth,
          ) -> dict[DiscrepancyKind, tuple[int, int, int]]:
    """Per kind: (true positives, found, planted)."""
    found: dict[DiscrepancyKind, set[tuple[object, ...]]] = defaultdict(set)
    for finding in findings:
        found[finding.kind].add(eval_key(finding, synth.truth_person))
    out = {}
    for kind in DiscrepancyKind:
        got, want = found.get(kind, set()), synth.truth.get(kind, set())
        out[kind] = (len(got & want), len(got), len(want))
    return out
