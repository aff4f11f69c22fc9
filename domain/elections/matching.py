"""Linking the rows of an official voter list to register records: pure, no I/O.

`link(entries, people)` answers which row is which resident (`Linkage`):

1. ID number equal: the row is linked to the resident with that number (method
   "id_number"), unless the two disagree on everything else (the folded names are far apart
   AND the births disagree): then a typo in the row's number happened to hit another
   person's, and the row goes on to step 2 like a row without a number.
2. Name and birth: the remaining rows are compared with residents of the same block only
   (so a province of a million people is a few thousand small comparisons, never a million
   squared): the same birth date; the date with day and month swapped (03/04 typed as
   04/03); and, for a birth year alone on either side or any other typo in the date, the
   same folded full name or the same house in the same birth year (not the given name in
   the year: in a province that block holds hundreds of "Hùng"s born in 1980). A pair's
   score (0-100) adds up:
   - the folded names (the register's `name_fold`: no diacritics and no apostrophe, so
     "Siu H'Prông", "Siu H’Prông" and "Siu HPrông" are one name): the mean of rapidfuzz's
     `ratio` on the full name and on each part (family, middle, given), so "Nguyễn Thị
     Lan" is far from "Nguyễn Thị Hoa", "Kiều Thị Lộc" from "Đỗ Thị Lộc" and "Đoàn Thị
     Quỳnh" from "Đoàn Hồng Quỳnh", although each pair shares most letters; minus 50, so
     0-50; plus 5 when the diacritics agree exactly (the register's `name_exact`: case,
     spaces, apostrophes and the tone style of oa/oe/uy, "Hoà"/"Hòa", set aside).
     `ratio`, not `token_sort_ratio`: names are written in one order (family, middle,
     given), and sorting the words lets one typo ("Ngbyễn" for "Nguyễn") move a word and
     ruin the comparison;
   - the birth: the same date 25, swapped day/month 20, a year alone on one side and the
     same year 18, two different dates of the same year 3;
   - sex: agreeing +5, disagreeing -5; the household address (folded): the same 12, else
     `token_set_ratio` 0-4, 5 when either side has none; the ID numbers: one digit apart
     +5 (a typo), further apart -15 (another person), either missing 0; at most 100.
   A pair counts from `LINK_THRESHOLD`: a namesake born the same year in another house
   stays below it (50 + 5 + 3 + 5 + 4 = 67), a one-letter typo in a short given name with
   the same birth and house reaches it.
3. One to one, globally greedy: pairs are taken best score first (ties by the row's and the
   person's keys, so the result is the same in every run); a person taken by a better row
   is not linked again. A row whose best free candidates are within `AMBIGUITY_MARGIN` of
   each other is `Ambiguous` (candidates with scores), never a guess. A row whose best
   candidate (from `DUPLICATE_THRESHOLD`) is a person already taken is `taken`: the same
   person listed twice. Anything else is `unmatched`.

`fields` of a link names what differs: "full_name:diacritics" (the same letters, other
marks), "full_name:spelling", "birth_date", "sex", "id_number". Names that differ only in
what `name_exact` sets aside are the same name.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from domain.text import fold, name_exact, name_fold

LINK_THRESHOLD = 68.0
AMBIGUITY_MARGIN = 5.0
DUPLICATE_THRESHOLD = 88.0
ID_LINK_SCORE = 100.0
_PREFILTER = 75.0  # full-name ratio below which a pair is not scored at all
_NAME_FLOOR = 50.0  # name similarity giving 0 points
ratio = fuzz.ratio
_SEX = {"male": "male", "female": "female", "nam": "male", "nu": "female", "m": "male",
        "f": "female"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of an official list, as read from its cells."""

    key: uuid.UUID
    area_key: uuid.UUID
    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: str | None
    id_number: str | None
    address: str | None


@dataclass(frozen=True, slots=True)
class Person:
    """One register record, with its household's address."""

    key: uuid.UUID
    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: str | None
    id_number: str | None
    address: str | None
    household_key: uuid.UUID | None = None
    area_key: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Link:
    entry: Entry
    person: Person
    score: float
    method: str  # "id_number" or "name_birth"
    fields: tuple[str, ...]  # what differs, see the module's text


@dataclass(frozen=True, slots=True)
class Ambiguous:
    entry: Entry
    candidates: tuple[tuple[uuid.UUID, float], ...]  # person key, score; best first


@dataclass(slots=True)
class Linkage:
    links: list[Link] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    unmatched: list[uuid.UUID] = field(default_factory=list)  # entry keys
    # Rows whose person was taken by another row: the same person listed twice (the
    # person is linked to the other row in `links`).
    taken: list[Link] = field(default_factory=list)

    def person_of(self) -> dict[uuid.UUID, uuid.UUID]:
        """Entry key → person key of every link."""
        return {link.entry.key: link.person.key for link in self.links}


def norm_sex(value: str | None) -> str | None:
    if not value:
        return None
    got = _SEX.get(value)
    return got if got is not None else _SEX.get(fold(value))


def year_of(birth_date: date | None, birth_year: int | None) -> int | None:
    return birth_date.year if birth_date is not None else birth_year


def swapped(day: date) -> date | None:
    """The date with day and month exchanged (04/03 for 03/04), when that is another date."""
    if day.day == day.month or day.day > 12:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def id_distance(a: str, b: str) -> int:
    """Hamming distance of two numbers of the same length, else the edit distance."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True))
    return int(Levenshtein.distance(a, b))


class _Folder:
    """Folded forms, memoised: names repeat a great deal (a few family and given names)."""

    __slots__ = ("cache", "form")

    def __init__(self, form: Callable[[str], str]) -> None:
        self.cache: dict[str, str] = {}
        self.form = form

    def __call__(self, value: str | None) -> str:
        if not value:
            return ""
        got = self.cache.get(value)
        if got is None:
            got = self.cache[value] = self.form(value)
        return got


def _parts(folded: str) -> tuple[str, str, str]:
    """(family, middle, given) of a folded name."""
    words = folded.split(" ")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def _birth_points(e_date: date | None, e_year: int | None, p_date: date | None,
                  p_year: int | None) -> float:
    if e_date is not None and p_date is not None:
        if e_date == p_date:
            return 25.0
        if swapped(e_date) == p_date:
            return 20.0
        return 3.0 if e_date.year == p_date.year else 0.0
    if e_year is not None and e_year == p_year:
        return 18.0
    return 0.0


def _name_fields(e_name: str, p_name: str, e_folded: str, p_folded: str) -> tuple[str, ...]:
    if e_name == p_name or name_exact(e_name) == name_exact(p_name):
        return ()
    if e_folded == p_folded:
        return ("full_name:diacritics",)
    return ("full_name:spelling",)


def differing_fields(entry: Entry, person: Person, e_folded: str = "",
                     p_folded: str = "") -> tuple[str, ...]:
    """What the row and the record disagree on (see the module's text)."""
    out: list[str] = []
    if entry.full_name != person.full_name:
        out.extend(_name_fields(entry.full_name, person.full_name,
                                e_folded or name_fold(entry.full_name),
                                p_folded or name_fold(person.full_name)))
    if entry.birth_date is not None and person.birth_date is not None:
        if entry.birth_date != person.birth_date:
            out.append("birth_date")
    elif year_of(entry.birth_date, entry.birth_year) != year_of(person.birth_date,
                                                                 person.birth_year):
        out.append("birth_date")
    e_sex, p_sex = norm_sex(entry.sex), norm_sex(person.sex)
    if e_sex and p_sex and e_sex != p_sex:
        out.append("sex")
    if entry.id_number and person.id_number and entry.id_number != person.id_number:
        out.append("id_number")
    return tuple(out)


class PeopleIndex:
    """Register records prepared for `link`: their folded names and addresses, by ID number
    and by block. Build it once and pass it to every `link` over the same people (a run
    links its own lists and other areas' lists against the same register)."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people: list[Person] = list(people)
        self.folder = folder = _Folder(name_fold)  # names
        self.addr_folder = addr_folder = _Folder(fold)  # addresses
        names_cache, addr_cache = folder.cache, addr_folder.cache
        p_names: list[str] = []
        p_addr: list[str] = []
        by_id: dict[str, int] = {}
        by_date: dict[date, list[int]] = defaultdict(list)
        for i, person in enumerate(self.people):
            name = person.full_name
            folded = names_cache.get(name)
            if folded is None:
                folded = folder(name)
            p_names.append(folded)
            address = person.address
            if address:
                got = addr_cache.get(address)
                p_addr.append(got if got is not None else addr_folder(address))
            else:
                p_addr.append("")
            if person.id_number and person.id_number not in by_id:
                by_id[person.id_number] = i
            if person.birth_date is not None:
                by_date[person.birth_date].append(i)
        self.p_names, self.p_addr = p_names, p_addr
        self.by_id, self.by_date = by_id, by_date
        self.p_sex = [norm_sex(p.sex) for p in self.people]
        self.exact = _Folder(name_exact)  # names as compared with their diacritics
        self._parts: dict[str, tuple[str, str, str]] = {}
        self._by_year: dict[tuple[str, int], list[int]] | None = None

    def by_key_year(self) -> dict[tuple[str, int], list[int]]:
        """(folded full name | "h:" address, birth year) → records; built
        on first use (only rows without an ID link need it)."""
        if self._by_year is None:
            index: dict[tuple[str, int], list[int]] = {}
            get = index.get
            for i, (person, name, address) in enumerate(
                    zip(self.people, self.p_names, self.p_addr, strict=True)):
                born = person.birth_date
                year = born.year if born is not None else person.birth_year
                if year is None:
                    continue
                for key in ((name, year), ("h:" + address, year)):
                    got = get(key)
                    if got is None:
                        index[key] = [i]
                    else:
                        got.append(i)
            self._by_year = index
        return self._by_year

    def candidates(self, entry: Entry, e_folded: str, e_addr: str) -> list[int]:
        """Records in the row's blocks: its birth date, that date with day and month
        swapped, and its folded name and house in its birth year."""
        found: list[int] = []
        if entry.birth_date is not None:
            found.extend(self.by_date.get(entry.birth_date, ()))
            other = swapped(entry.birth_date)
            if other is not None:
                found.extend(self.by_date.get(other, ()))
        year = year_of(entry.birth_date, entry.birth_year)
        if year is not None:
            by_year = self.by_key_year()
            found.extend(by_year.get((e_folded, year), ()))
            if e_addr:  # ("h:", year) holds the records without an address: not a block
                found.extend(by_year.get(("h:" + e_addr, year), ()))
        if len(found) > 1:
            found = sorted(set(found))
        return found

    def parts(self, i: int) -> tuple[str, str, str]:
        name = self.p_names[i]
        got = self._parts.get(name)
        if got is None:
            got = self._parts[name] = _parts(name)
        return got

    def score(self, row: _Row, i: int, full: float) -> float:
        """The pair's score (see the module's text); `full` is the full names' ratio."""
        entry, person = row.entry, self.people[i]
        e_family, e_middle, e_given = row.parts
        p_family, p_middle, p_given = self.parts(i)
        total = full + ratio(e_given, p_given) + ratio(e_family, p_family)
        sim = (total / 3 if not e_middle and not p_middle
               else (total + ratio(e_middle, p_middle)) / 4)
        points = 50.0 * max(0.0, min(1.0, (sim - _NAME_FLOOR) / (100.0 - _NAME_FLOOR)))
        if entry.full_name == person.full_name or row.exact == self.exact(person.full_name):
            points += 5.0
        born = person.birth_date
        points += _birth_points(entry.birth_date, row.year, born,
                                born.year if born is not None else person.birth_year)
        p_sex = self.p_sex[i]
        if row.sex and p_sex:
            points += 5.0 if row.sex == p_sex else -5.0
        p_addr = self.p_addr[i]
        if row.address and p_addr:
            # The same house counts far more than the same street: neighbours and
            # namesakes share a street.
            points += 12.0 if row.address == p_addr else (
                4.0 * fuzz.token_set_ratio(row.address, p_addr) / 100.0)
        else:
            points += 5.0
        if entry.id_number and person.id_number:
            points += 5.0 if id_distance(entry.id_number, person.id_number) <= 1 else -15.0
        return round(min(points, 100.0), 2)


@dataclass(slots=True)
class _Row:
    """What scoring reads of a row, computed once."""

    entry: Entry
    folded: str
    parts: tuple[str, str, str]
    exact: str  # name_exact of the full name
    year: int | None
    sex: str | None
    address: str


def _id_link_plausible(entry: Entry, person: Person, e_folded: str, p_folded: str) -> bool:
    """An equal ID number is trusted unless names AND births both disagree."""
    if e_folded == p_folded:
        return True
    names_close = fuzz.ratio(e_folded, p_folded) >= 70.0
    births = _birth_points(entry.birth_date, year_of(entry.birth_date, entry.birth_year),
                           person.birth_date, year_of(person.birth_date, person.birth_year))
    return names_close or births >= 18.0


def link(entries: Iterable[Entry], people: Sequence[Person] | PeopleIndex) -> Linkage:
    """Which row is which person (see the module's text)."""
    rows = list(entries)
    index = people if isinstance(people, PeopleIndex) else PeopleIndex(people)
    people = index.people
    folder, p_names, by_id = index.folder, index.p_names, index.by_id
    result = Linkage()
    taken_by: dict[int, int] = {}  # person index → entry index
    e_folded = [folder(e.full_name) for e in rows]

    # 1. ID number equal.
    # Rows are taken in the list's order; of two rows with one number, the lower key
    # keeps the link (the same in every run, whatever the order).
    rest: list[int] = []
    at: dict[int, int] = {}  # person index → position in result.links
    links = result.links
    for k, entry in enumerate(rows):
        number = entry.id_number
        found = by_id.get(number) if number else None
        if found is None or not _id_link_plausible(entry, people[found], e_folded[k],
                                                   p_names[found]):
            rest.append(k)
            continue
        i = found
        made = Link(entry, people[i], ID_LINK_SCORE, "id_number",
                    differing_fields(entry, people[i], e_folded[k], p_names[i]))
        if i in taken_by:
            other = links[at[i]]
            if entry.key.int < other.entry.key.int:
                links[at[i]], made, taken_by[i] = made, other, k
            result.taken.append(made)
            continue
        taken_by[i] = k
        at[i] = len(links)
        links.append(made)

    # 2. Name and birth within blocks.
    scored: dict[int, list[tuple[float, int]]] = {}
    pairs: list[tuple[float, int, int]] = []
    for k in rest:
        entry, name = rows[k], e_folded[k]
        e_addr = index.addr_folder(entry.address)
        block = index.candidates(entry, name, e_addr)
        if not block:
            continue
        choices = {i: p_names[i] for i in block}
        hits = process.extract(name, choices, scorer=ratio, score_cutoff=_PREFILTER,
                               limit=None)
        if not hits:
            continue
        row = _Row(entry, name, _parts(name), index.exact(entry.full_name),
                   year_of(entry.birth_date, entry.birth_year), norm_sex(entry.sex), e_addr)
        mine = []
        for _, full, i in hits:
            s = index.score(row, i, full)
            if s >= LINK_THRESHOLD:
                mine.append((s, i))
        if mine:
            mine.sort(key=lambda si: (-si[0], people[si[1]].key.int))
            scored[k] = mine
            pairs.extend((s, k, i) for s, i in mine)

    # 3. One to one, best first.
    pairs.sort(key=lambda t: (-t[0], rows[t[1]].key.int, people[t[2]].key.int))
    decided: set[int] = set()
    best_taken: dict[int, tuple[float, int]] = {}
    for s, k, i in pairs:
        if k in decided:
            continue
        if i in taken_by:
            best_taken.setdefault(k, (s, i))
            continue
        lost = best_taken.get(k)
        if lost is not None and lost[0] >= DUPLICATE_THRESHOLD and lost[0] - s > AMBIGUITY_MARGIN:
            continue  # a better claim on a taken person: listed twice, decided below
        rivals = [(t, j) for t, j in scored[k] if j != i and j not in taken_by
                  and s - t <= AMBIGUITY_MARGIN]
        decided.add(k)
        if rivals:
            cands = [(people[i].key, s)] + [(people[j].key, t) for t, j in rivals]
            result.ambiguous.append(Ambiguous(rows[k], tuple(cands)))
            continue
        taken_by[i] = k
        result.links.append(Link(rows[k], people[i], s, "name_birth",
                                 differing_fields(rows[k], people[i], e_folded[k],
                                                  p_names[i])))
    for k in rest:
        if k in decided:
            continue
        lost = best_taken.get(k)
        if lost is not None and lost[0] >= DUPLICATE_THRESHOLD:
            s, i = lost
            result.taken.append(Link(rows[k], people[i], s, "name_birth",
                                     differing_fields(rows[k], people[i], e_folded[k],
                                                      p_names[i])))
        else:
            result.unmatched.append(rows[k].key)
    return result
