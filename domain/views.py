"""Views of a resource: which of its fields are personal data and what each caller sees.

A `View` is declared once per resource (`domain/<area>/views.py`). Every form the resource
leaves in is derived from it: the record's JSON document, a document the database builds
(repositories/documents.py turns each `Rule` into SQL), an export row and the values of a
history entry. A new rule needs its SQL there too; a test holds the forms equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from domain.access import Permission, Principal, Role

if TYPE_CHECKING:
    from pydantic import BaseModel


class Rule:
    """What a caller without the view's permission sees of a personal field."""

    def apply(self, value: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Keep(Rule):
    """Shown as it is: not personal data."""

    def apply(self, value: Any) -> Any:
        return value


@dataclass(frozen=True, slots=True)
class Null(Rule):
    """Shown as `null` (a birth date: the year stays in its own field)."""

    def apply(self, value: Any) -> Any:
        return None


@dataclass(frozen=True, slots=True)
class Last(Rule):
    """All but the last `keep` characters hidden: '079203001234' → '********1234'."""

    keep: int = 4

    def apply(self, value: str | None) -> str | None:
        if value is None:
            return None
        if self.keep <= 0 or len(value) <= self.keep:
            return "*" * len(value)
        return "*" * (len(value) - self.keep) + value[-self.keep:]


@dataclass(frozen=True, slots=True)
class Omit(Rule):
    """Left out of the document altogether."""

    def apply(self, value: Any) -> Any:
        raise TypeError("an omitted field has no value")


KEEP = Keep()


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a view. `mask` applies to callers without the view's permission;
    `hidden_for` leaves the field out for those roles whatever they may otherwise see (a
    ticket's internal note never reaches a resident). `derived` fields are computed by the
    resource's own code (facts, findings), not read from a column."""

    name: str
    mask: Rule = KEEP
    hidden_for: frozenset[Role] = frozenset()
    derived: bool = False

    @property
    def personal(self) -> bool:
        return not isinstance(self.mask, Keep)


# How a field is written for one audience (see `View.plan`).
SHOW, MASK, DERIVE, LIST_MASKED = "show", "mask", "derive", "list_masked"
Step = tuple[str, str, Rule]
Audience = tuple[bool, frozenset[str]]
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)  # hashed by identity: plans are cached per view
class View:
    """A resource as callers see it: its fields in document order and who sees them
    unmasked. `masked_list` names the field that lists what was masked (or None), in the
    order of `personal`."""

    name: str
    fields: tuple[Field, ...]
    unmasked_by: Permission
    masked_list: str | None = None
    personal: tuple[str, ...] = ()
    # Whole rows some roles never see, by a field's value: (field, value, roles).
    rows_hidden_for: tuple[tuple[str, str, frozenset[Role]], ...] = ()
    _index: dict[str, Field] = field(init=False, repr=False, compare=False)
    _hiding: tuple[Field, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.name: f for f in self.fields})
        object.__setattr__(self, "_hiding", tuple(f for f in self.fields if f.hidden_for))
        declared = tuple(n for n in self.personal if self._index[n].personal)
        rest = tuple(f.name for f in self.fields if f.personal and f.name not in declared)
        object.__setattr__(self, "personal", declared + rest)
        if self.masked_list is not None and not self._index[self.masked_list].derived:
            raise ValueError(f"{self.masked_list} must be a derived field")

    @classmethod
    def of(cls, name: str, model: type[BaseModel], *, unmasked_by: Permission,
           personal: Mapping[str, Rule] | None = None,
           hidden_for: Mapping[str, Iterable[Role]] | None = None,
           derived: Iterable[str] = (), masked_list: str | None = None,
           rows_hidden_for: Mapping[str, Mapping[str, Iterable[Role]]] | None = None) -> View:
        """The fields of a response model (`model_fields`, in its order), with the personal
        ones and their rules, and the rows hidden from some roles by a field's value (a
        ticket's internal note: `{"visibility": {"internal": [Role.resident]}}`); naming a
        field the model lacks is an error."""
        personal, hidden_for, derived = dict(personal or {}), dict(hidden_for or {}), set(derived)
        rows = tuple((name, str(value), frozenset(roles))
                     for name, by_value in (rows_hidden_for or {}).items()
                     for value, roles in by_value.items())
        unknown = ((set(personal) | set(hidden_for) | derived | {r[0] for r in rows})
                   - set(model.model_fields))
        if unknown:
            raise ValueError(f"{name}: {sorted(unknown)} are not fields of {model.__name__}")
        fields = tuple(Field(n, personal.get(n, KEEP), frozenset(hidden_for.get(n, ())),
                             n in derived) for n in model.model_fields)
        return cls(name, fields, unmasked_by, masked_list, tuple(personal), rows)

    def extended(self, name: str, **extra: Rule) -> View:
        """The same view with more fields (an export's joined columns), at the end."""
        added = tuple(Field(n, rule) for n, rule in extra.items())
        return View(name, self.fields + added, self.unmasked_by, self.masked_list,
                    self.personal, self.rows_hidden_for)

    def rule(self, name: str) -> Rule:
        return self._index[name].mask

    def audience(self, who: Principal) -> Audience:
        """What decides the view for `who`: masked or not, and the fields hidden from them.
        Callers alike share one plan (and one SQL document)."""
        hidden = frozenset(f.name for f in self._hiding if who.role in f.hidden_for) if (
            self._hiding) else _NONE
        return not who.can(self.unmasked_by), hidden

    def hidden_rows(self, who: Principal) -> dict[str, frozenset[str]]:
        """The values of each field whose rows `who` never sees: every read of the
        resource filters them out in its query (`shows` for one row in hand)."""
        out: dict[str, set[str]] = {}
        for name, value, roles in self.rows_hidden_for:
            if who.role in roles:
                out.setdefault(name, set()).add(value)
        return {name: frozenset(values) for name, values in out.items()}

    def shows(self, get: Callable[[str], Any], who: Principal) -> bool:
        """Whether `who` may see the row whose fields `get` reads."""
        return not any(str(get(name)) in values
                       for name, values in self.hidden_rows(who).items())

    def plan(self, audience: Audience) -> tuple[Step, ...]:
        return _plan(self, audience)

    def document(self, get: Callable[[str], Any], who: Principal,
                 derived: Mapping[str, Any]) -> dict[str, Any]:
        """The whole document for `who`: columns through `get`, derived fields given."""
        order, shown, masking, computed = _compiled(self, self.audience(who))
        doc = dict.fromkeys(order)  # the view's order, whatever order the values come in
        for name in shown:
            doc[name] = get(name)
        masked: list[str] = []
        for name, rule in masking:
            value = get(name)
            if value is not None:
                masked.append(name)
            if isinstance(rule, Omit):
                del doc[name]
            else:
                doc[name] = rule.apply(value)
        for name in computed:
            doc[name] = derived[name]
        if self.masked_list is not None and self.masked_list in doc:
            doc[self.masked_list] = masked
        return doc

    def values(self, values: Mapping[str, Any], who: Principal) -> dict[str, Any]:
        """Some of the view's fields (a history entry, an export row) as `who` sees them:
        masked and hidden as in the document; names outside the view pass unchanged."""
        steps = _steps(self, self.audience(who))
        out = {}
        for name, value in values.items():
            rule = steps.get(name, KEEP)
            if rule is not None and not isinstance(rule, Omit):
                out[name] = rule.apply(value)
        return out


@lru_cache(maxsize=64)
def _plan(view: View, audience: Audience) -> tuple[Step, ...]:
    masks, hidden = audience
    steps: list[Step] = []
    for f in view.fields:
        if f.name in hidden:
            continue
        if f.name == view.masked_list:
            steps.append((f.name, LIST_MASKED, KEEP))
        elif f.derived:
            steps.append((f.name, DERIVE, KEEP))
        elif masks and f.personal:
            steps.append((f.name, MASK, f.mask))
        else:
            steps.append((f.name, SHOW, KEEP))
    return tuple(steps)


@lru_cache(maxsize=64)
def _steps(view: View, audience: Audience) -> dict[str, Rule | None]:
    """Each field's rule for one audience; None for a field hidden from it."""
    out: dict[str, Rule | None] = {f.name: None for f in view.fields}
    out.update({name: rule for name, _, rule in _plan(view, audience)})
    return out


@lru_cache(maxsize=64)
def _compiled(view: View, audience: Audience):
    """The plan laid out for `View.document`: every name in order, then the shown, masked
    (in `personal` order, so the list of masked fields comes out in it) and derived ones."""
    steps = _plan(view, audience)
    masking = sorted(((n, r) for n, how, r in steps if how == MASK),
                     key=lambda step: view.personal.index(step[0]))
    return (tuple(n for n, _, _ in steps), tuple(n for n, how, _ in steps if how == SHOW),
            tuple(masking), tuple(n for n, how, _ in steps if how == DERIVE))
