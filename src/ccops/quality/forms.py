"""Evaluation forms: weighted sections of items, versioned, stored as plain JSON definitions.

A form is immutable; changing it makes a new version (`revise`), and every evaluation keeps the
version it was scored on, so old scores never move when a form is edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

ACCURACY = "accuracy"


class FormError(ValueError):
    """A form definition that cannot be used (duplicate keys, bad weights, bad scale)."""


class ItemKind(StrEnum):
    """How an item is answered: yes/no, or a number on a scale."""

    YES_NO = "yes_no"
    SCALE = "scale"


@dataclass(frozen=True, slots=True)
class Item:
    """One question on a form; `critical` items that fail zero the whole evaluation."""

    key: str
    text: str
    kind: ItemKind = ItemKind.YES_NO
    weight: float = 1.0
    critical: bool = False
    allow_na: bool = True
    scale_min: int = 0
    scale_max: int = 1
    pass_mark: float | None = None  # scale items: a value below this is a failure (default: max)

    def fails_below(self) -> float:
        """The lowest passing value (yes = 1 for yes/no items)."""
        if self.kind is ItemKind.YES_NO:
            return 1.0
        return float(self.scale_max if self.pass_mark is None else self.pass_mark)


@dataclass(frozen=True, slots=True)
class Section:
    """A weighted group of items (e.g. accuracy, weight 40)."""

    key: str
    title: str
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Form:
    """A versioned evaluation form: sections with weights, each with its items."""

    key: str
    name: str
    sections: tuple[Section, ...]
    version: int = 1
    notes: str = ""
    _index: dict[str, tuple[Section, Item]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        validate(self)
        index = {item.key: (s, item) for s in self.sections for item in s.items}
        object.__setattr__(self, "_index", index)

    def item(self, key: str) -> Item:
        """The item with this key."""
        return self.locate(key)[1]

    def locate(self, key: str) -> tuple[Section, Item]:
        """The section and item for an item key (KeyError when the form has no such item)."""
        try:
            return self._index[key]
        except KeyError:
            raise KeyError(f"form {self.key!r} v{self.version} has no item {key!r}") from None

    def items(self) -> Iterable[Item]:
        """Every item, in form order."""
        for section in self.sections:
            yield from section.items

    def section(self, key: str) -> Section | None:
        """The section with this key, if any."""
        return next((s for s in self.sections if s.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON definition stored with each version."""
        return {
            "key": self.key,
            "name": self.name,
            "version": self.version,
            "notes": self.notes,
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "weight": s.weight,
                    "items": [_item_dict(i) for i in s.items],
                }
                for s in self.sections
            ],
        }


def _item_dict(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": item.key,
        "text": item.text,
        "kind": item.kind.value,
        "weight": item.weight,
        "critical": item.critical,
        "allow_na": item.allow_na,
    }
    if item.kind is ItemKind.SCALE:
        out.update(scale_min=item.scale_min, scale_max=item.scale_max, pass_mark=item.pass_mark)
    return out


def from_dict(data: Mapping[str, Any]) -> Form:
    """A form from its JSON definition (the inverse of `Form.to_dict`)."""
    try:
        sections = tuple(
            Section(
                key=str(s["key"]),
                title=str(s.get("title", s["key"])),
                weight=float(s["weight"]),
                items=tuple(_item_from(i) for i in s["items"]),
            )
            for s in data["sections"]
        )
        return Form(
            key=str(data["key"]),
            name=str(data.get("name", data["key"])),
            sections=sections,
            version=int(data.get("version", 1)),
            notes=str(data.get("notes", "")),
        )
    except (KeyError, TypeError) as exc:
        raise FormError(f"form definition is missing or mistypes {exc}") from None


def _item_from(data: Mapping[str, Any]) -> Item:
    kind = ItemKind(data.get("kind", ItemKind.YES_NO.value))
    pass_mark = data.get("pass_mark")
    return Item(
        key=str(data["key"]),
        text=str(data.get("text", data["key"])),
        kind=kind,
        weight=float(data.get("weight", 1.0)),
        critical=bool(data.get("critical", False)),
        allow_na=bool(data.get("allow_na", True)),
        scale_min=int(data.get("scale_min", 0)),
        scale_max=int(data.get("scale_max", 1)),
        pass_mark=None if pass_mark is None else float(pass_mark),
    )


def validate(form: Form) -> None:
    """Raise FormError unless keys are unique, weights positive and scales sensible."""
    if not form.sections:
        raise FormError(f"form {form.key!r} has no sections")
    if form.version < 1:
        raise FormError(f"form {form.key!r}: version must be >= 1, got {form.version}")
    seen_sections: set[str] = set()
    seen_items: set[str] = set()
    for s in form.sections:
        if s.key in seen_sections:
            raise FormError(f"form {form.key!r}: section {s.key!r} appears twice")
        seen_sections.add(s.key)
        if not s.weight > 0:
            raise FormError(f"section {s.key!r}: weight must be > 0, got {s.weight}")
        if not s.items:
            raise FormError(f"section {s.key!r} has no items")
        for i in s.items:
            if i.key in seen_items:
                raise FormError(f"form {form.key!r}: item {i.key!r} appears twice")
            seen_items.add(i.key)
            if not i.weight > 0:
                raise FormError(f"item {i.key!r}: weight must be > 0, got {i.weight}")
            if i.kind is ItemKind.SCALE:
                if i.scale_max <= i.scale_min:
                    raise FormError(f"item {i.key!r}: scale_max must exceed scale_min")
                if i.pass_mark is not None and not i.scale_min <= i.pass_mark <= i.scale_max:
                    raise FormError(f"item {i.key!r}: pass_mark must lie on the scale")
                if i.critical:
                    raise FormError(f"item {i.key!r}: critical items must be yes/no")


def revise(form: Form, **changes: Any) -> Form:
    """The next version of `form` with `changes` (sections, name, notes) applied."""
    if "version" in changes or "key" in changes:
        raise FormError("a revision keeps the form's key and takes the next version number")
    return replace(form, version=form.version + 1, **changes)


def _yn(key: str, text: str, *, critical: bool = False, allow_na: bool = True) -> Item:
    return Item(key=key, text=text, critical=critical, allow_na=allow_na)


def _scale(key: str, text: str) -> Item:
    return Item(key=key, text=text, kind=ItemKind.SCALE, scale_min=1, scale_max=5, pass_mark=3)


DEFAULT_FORM = Form(
    key="default",
    name="Contact evaluation",
    notes=(
        "Sections in the order a customer-service center should look: accuracy first, then "
        "process compliance, attitude and communication skill."
    ),
    sections=(
        Section(
            ACCURACY,
            "Accuracy",
            40,
            (
                _yn("acc_correct_answer", "Answer correct and complete", allow_na=False),
                _yn("acc_correct_record", "The account/record was updated correctly"),
                _yn(
                    "acc_no_misinformation",
                    "No wrong information about fees, rights or law",
                    critical=True,
                    allow_na=False,
                ),
            ),
        ),
        Section(
            "process_compliance",
            "Process compliance",
            30,
            (
                _yn(
                    "proc_identity_verified",
                    "Identity verified before account details",
                    critical=True,
                ),
                _yn("proc_followed_procedure", "Followed the documented procedure"),
                _yn(
                    "proc_disposition", "Reason and disposition recorded correctly", allow_na=False
                ),
            ),
        ),
        Section(
            "attitude",
            "Attitude",
            20,
            (
                _scale("att_courtesy", "Courteous and respectful"),
                _scale("att_ownership", "Took ownership of the customer's problem"),
            ),
        ),
        Section(
            "communication",
            "Communication skill",
            10,
            (
                _scale("com_clarity", "Clear, plain language"),
                _yn("com_hold_etiquette", "Asked before hold and thanked after"),
            ),
        ),
    ),
)


__all__ = [
    "ACCURACY",
    "DEFAULT_FORM",
    "Form",
    "FormError",
    "Item",
    "ItemKind",
    "Section",
    "from_dict",
    "revise",
    "validate",
]
