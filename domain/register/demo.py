"""Deterministic demo and benchmark data: units, streets, households and residents.

Pure: plain frozen dataclasses, no database. One `random.Random(seed)` drives everything
in a fixed order, so the same seed gives the same data in any process. Ages are taken
on a reference date passed in, never today's date.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from domain.register import names
from domain.register.models import ReadinessKind, Relationship, ResidenceStatus, Sex
from domain.register.rules import make_id_number
from domain.text import fold
from domain.units.models import UnitKind

DEMO_REFERENCE_DATE = date(2026, 1, 11)  # the model's first day
DEMO_HOUSEHOLDS = 684
DEMO_RESIDENTS = 2_716
DEMO_OLD_ADDRESS = "phường Bình Định, thị xã An Nhơn, tỉnh Bình Định"

_VNEID_START = date(2022, 7, 1)
_OTHER_SEX = {"male": "female", "female": "male"}
_SMARTPHONE_START = date(2012, 1, 1)


@dataclass(frozen=True, slots=True)
class UnitSpec:
    key: str
    kind: UnitKind
    name: str
    code: str | None = None
    parent_key: str | None = None
    old_address_text: str | None = None


@dataclass(frozen=True, slots=True)
class StreetSpec:
    key: str
    commune_key: str
    name: str
    old_name: str | None = None


@dataclass(frozen=True, slots=True)
class ResidentSpec:
    key: str
    relationship: Relationship
    full_name: str
    family_name: str
    middle_name: str
    given_name: str
    sex: Sex
    birth_date: date | None  # None for the ~3% known only by birth year
    birth_year: int  # always set
    id_number: str | None
    id_number_mismatch: bool  # digits 4-6 deliberately disagree (data-quality finding)
    phone: str | None  # E.164
    residence_status: ResidenceStatus
    residence_since: date | None
    readiness: tuple[tuple[ReadinessKind, date], ...]


@dataclass(frozen=True, slots=True)
class HouseholdSpec:
    code: str
    group_key: str
    street_key: str
    street_name: str
    house_number: str
    house_number_sort: int
    old_address_text: str | None
    members: tuple[ResidentSpec, ...]  # the head first

    @property
    def head(self) -> ResidentSpec:
        return self.members[0]


@dataclass(frozen=True, slots=True)
class DemoData:
    seed: int
    reference_date: date
    province: UnitSpec
    commune: UnitSpec
    group: UnitSpec
    streets: tuple[StreetSpec, ...]
    households: tuple[HouseholdSpec, ...]

    @property
    def residents(self) -> list[ResidentSpec]:
        return [member for household in self.households for member in household.members]


@dataclass(frozen=True, slots=True)
class PopulationChunk:
    units: tuple[UnitSpec, ...]  # units first seen in this chunk, parents before children
    streets: tuple[StreetSpec, ...]  # streets first seen in this chunk
    households: tuple[HouseholdSpec, ...]


def _slug(name: str) -> str:
    return fold(name).replace(" ", "-")


class _Builder:
    """Builds households and people; keeps per-prefix counters so IDs and phones are unique."""

    def __init__(self, seed: int, reference_date: date) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.on = reference_date
        self.counters: dict[str, int] = {}
        self.deck: list[str] = []

    def _family_name(self, rng: random.Random) -> str:
        # Dealt from a shuffled deck rather than drawn independently, so shares such as
        # Nguyễn's ~38% hold even in a single small group.
        if not self.deck:
            self.deck = names.FAMILY_NAMES.deck(1000)
            rng.shuffle(self.deck)
        return self.deck.pop()

    def _scrambled(self, prefix: str, modulus: int, step: int) -> int:
        count = self.counters.get(prefix, 0)
        if count >= modulus:
            raise RuntimeError(f"serials exhausted for {prefix}")
        self.counters[prefix] = count + 1
        digest = hashlib.blake2b(f"{self.seed}:{prefix}".encode(), digest_size=8).digest()
        return (int.from_bytes(digest, "big") + count * step) % modulus

    def id_number(self, province: str, year: int, sex: str) -> str:
        prefix = make_id_number(province, year, sex, 0)[:6]
        return make_id_number(province, year, sex, self._scrambled(prefix, 10**6, 618_031))

    def phone(self) -> str:
        prefix = self.rng.choice(names.MOBILE_PREFIXES)
        return f"+84{prefix}{self._scrambled('tel' + prefix, 10**7, 6_180_339):07d}"

    def households(
        self, group: UnitSpec, code_prefix: str, streets: list[tuple[StreetSpec, float]],
        sizes: Iterator[int], count: int, next_numbers: dict[str, int], width: int = 4,
    ) -> Iterator[HouseholdSpec]:
        """`count` households of a group, street by street in walking order."""
        rng, serial = self.rng, 0
        counts = names.split_count(count, [weight for _, weight in streets])
        for (street, _), n in zip(streets, counts, strict=True):
            base, alley = next_numbers.get(street.key, 0), 0
            for i in range(n):
                if alley or (i and rng.random() < 0.12):  # a lane (kiệt) off the last house
                    alley = alley + 1 if rng.random() < 0.7 else 0
                if alley:
                    number = f"{base}/{alley}"
                else:
                    base += rng.choice((1, 2, 2, 2, 3, 4))
                    number = f"{base}A" if rng.random() < 0.03 else str(base)
                serial += 1
                code = f"{code_prefix}-{serial:0{width}d}"
                old = group.old_address_text
                yield HouseholdSpec(
                    code=code, group_key=group.key, street_key=street.key,
                    street_name=street.name, house_number=number, house_number_sort=base,
                    old_address_text=f"{number} {street.name}, {old}" if old else None,
                    members=self._members(code, next(sizes)),
                )  # fmt: skip
            next_numbers[street.key] = base

    def _members(self, code: str, size: int) -> tuple[ResidentSpec, ...]:
        rng, on = self.rng, self.on
        temporary = rng.random() < 0.08
        moved_in = on - timedelta(days=rng.randint(60, 6 * 365)) if temporary else None
        members = []
        plan = names.plan_family(rng, size, self._family_name)
        for index, (relationship, sex, age, family) in enumerate(plan, start=1):
            latest = names.years_before(on, age)
            earliest = names.years_before(on, age + 1) + timedelta(days=1)
            birth = names.between(rng, earliest, latest)
            young = birth.year >= 1985
            middle = names.MIDDLE_NAMES[(sex, young)].pick(rng)
            if young and rng.random() < 0.06:
                compound = names.COMPOUND_MIDDLE[sex].pick(rng)
                middle = middle if compound.startswith(family) else compound
            given = names.GIVEN_NAMES[sex].pick(rng)
            id_number, mismatch = None, False
            if age >= 14 or rng.random() < 0.7:
                origin = names.MOVER_PROVINCES if temporary else names.BIRTH_PROVINCES
                province = origin.pick(rng)
                mismatch = age >= 14 and rng.random() < 0.01
                if mismatch and rng.random() < 0.5:  # the other sex's digit
                    id_number = self.id_number(province, birth.year, _OTHER_SEX[sex])
                elif mismatch:  # a neighbouring birth year
                    id_number = self.id_number(province, birth.year + rng.choice((-1, 1)), sex)
                else:
                    id_number = self.id_number(province, birth.year, sex)
            year_only = age >= 40 and rng.random() < 0.065  # old records: the year alone
            phone_share = 0.45 if age < 18 else 0.92 if age < 60 else 0.65 if age < 75 else 0.35
            phone = self.phone() if age >= 14 and rng.random() < phone_share else None
            status, since = ResidenceStatus.permanent, None
            if temporary:
                assert moved_in is not None  # set for every temporary resident
                status, since = ResidenceStatus.temporary, max(moved_in, birth)
            elif relationship != Relationship.head and 18 <= age <= 50 and rng.random() < 0.04:
                status = ResidenceStatus.temporarily_absent
                since = on - timedelta(days=rng.randint(30, 3 * 365))
            members.append(ResidentSpec(
                key=f"{code}-{index:02d}", relationship=relationship,
                full_name=f"{family} {middle} {given}", family_name=family,
                middle_name=middle, given_name=given, sex=Sex(sex),
                birth_date=None if year_only else birth, birth_year=birth.year,
                id_number=id_number, id_number_mismatch=mismatch, phone=phone,
                residence_status=status, residence_since=since,
                readiness=self._readiness(age, birth),
            ))  # fmt: skip
        return tuple(members)

    def _readiness(self, age: int, birth: date) -> tuple[tuple[ReadinessKind, date], ...]:
        rng, on = self.rng, self.on - timedelta(days=1)
        share = 0.0 if age < 14 else 0.9 if age < 40 else 0.75 if age < 60 else 0.4
        share = 0.12 if age >= 75 else share
        if rng.random() >= share:
            return ()
        fourteen = birth.replace(year=birth.year + 14, day=min(birth.day, 28))
        day = names.between(rng, max(_SMARTPHONE_START, fourteen - timedelta(days=730)), on)
        facts = [(ReadinessKind.has_smartphone, day)]
        start = max(_VNEID_START, fourteen)
        for kind, odds in ((ReadinessKind.vneid_level1, 0.86), (ReadinessKind.vneid_level2, 0.75),
                           (ReadinessKind.public_service_portal, 0.55)):
            if rng.random() >= odds:
                break
            day = names.between(rng, max(start, day), on)
            facts.append((kind, day))
        return tuple(facts)


def generate_demo(seed: int = 684, *, reference_date: date = DEMO_REFERENCE_DATE) -> DemoData:
    """Tổ dân phố Trần Phú, phường Bình Định, tỉnh Gia Lai: 684 households, ~2,700 people."""
    builder = _Builder(seed, reference_date)
    province = UnitSpec("gia-lai", UnitKind.province, "Tỉnh Gia Lai", "52")
    # Phường Bình Định's code in the list of Decision 19/2025/QĐ-TTg (the General Statistics
    # Office's, as the vietnam-provinces package carries it): 21907.
    commune = UnitSpec("binh-dinh", UnitKind.ward, "Phường Bình Định", "21907", province.key)
    group = UnitSpec("binh-dinh/tran-phu", UnitKind.neighbourhood, "Tổ dân phố Trần Phú",
                     None, commune.key, DEMO_OLD_ADDRESS)
    streets = [(StreetSpec(f"{commune.key}/{_slug(name)}", commune.key, name), float(weight))
               for name, weight in names.DEMO_STREETS]
    sizes = names.household_sizes(builder.rng, DEMO_HOUSEHOLDS, DEMO_RESIDENTS)
    households = tuple(builder.households(group, "TP", streets, sizes, DEMO_HOUSEHOLDS, {}))
    return DemoData(seed, reference_date, province, commune, group,
                    tuple(street for street, _ in streets), households)


def generate_population(
    seed: int, *, communes: int, groups_per_commune: int, households: int, residents: int,
    chunk_size: int = 2_000, reference_date: date = DEMO_REFERENCE_DATE,
) -> Iterator[PopulationChunk]:
    """Stream a synthetic province in chunks of about `chunk_size` households (constant memory)."""
    if communes < 1 or groups_per_commune < 1:
        raise ValueError("communes and groups_per_commune must be at least 1")
    builder = _Builder(seed, reference_date)
    rng, groups = builder.rng, communes * groups_per_commune
    sizes = names.household_sizes(rng, households, residents)
    width = max(4, len(str(-(-households // max(groups, 1)))))
    province = UnitSpec("bench", UnitKind.province, "Tỉnh Thử Nghiệm")
    units: list[UnitSpec] = [province]
    new_streets: list[StreetSpec] = []
    batch: list[HouseholdSpec] = []
    for c in range(1, communes + 1):
        commune = UnitSpec(f"c{c:04d}", UnitKind.ward, f"Phường Thử Nghiệm {c}", None, "bench")
        chosen = rng.sample(names.STREET_NAMES, rng.randint(6, 8))
        streets = [StreetSpec(f"{commune.key}/{_slug(n)}", commune.key, n) for n in chosen]
        units.append(commune)
        new_streets.extend(streets)
        next_numbers: dict[str, int] = {}
        for g in range(1, groups_per_commune + 1):
            index = (c - 1) * groups_per_commune + g - 1
            count = (index + 1) * households // groups - index * households // groups
            group = UnitSpec(f"{commune.key}-g{g:03d}", UnitKind.neighbourhood,
                             f"Tổ dân phố {g}", None, commune.key)
            units.append(group)
            weighted = [(street, rng.uniform(0.3, 1.0)) for street in streets]
            for household in builder.households(group, f"C{c:04d}G{g:03d}", weighted, sizes,
                                                count, next_numbers, width):
                batch.append(household)
                if len(batch) >= chunk_size:
                    yield PopulationChunk(tuple(units), tuple(new_streets), tuple(batch))
                    units, new_streets, batch = [], [], []
    if batch or units or new_streets:
        yield PopulationChunk(tuple(units), tuple(new_streets), tuple(batch))
