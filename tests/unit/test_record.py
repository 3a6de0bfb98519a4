"""pot.record: the value classes of the hot modules behave as frozen slotted dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from pot.record import field, record, replace


@record
class Point:
    """A doc."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = ()

    def norm(self) -> int:
        return abs(self.x) + abs(self.y)

    @classmethod
    def origin(cls) -> Point:
        return cls(0)


@dataclasses.dataclass(frozen=True, slots=True)
class Twin:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


def test_construction_as_a_dataclass() -> None:
    assert Point(1, 2) == Point(x=1, y=2) == Point(1, y=2)
    assert Point(1).y == 0 and Point(1).tags == ()
    assert Point.origin().norm() == 0
    assert Point.__doc__ == "A doc."
    for bad in ((), (1, 2, (), 4)):
        with pytest.raises(TypeError):
            Point(*bad)
    with pytest.raises(TypeError):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point(1, z=2)  # type: ignore[call-arg]


def test_equality_hash_and_repr_as_a_dataclass() -> None:
    assert Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2, ("a",))) == hash(Point(1, 2, ("a",)))
    other: object = Twin(1, 2)
    assert Point(1, 2) != other  # only the same class compares equal
    assert repr(Point(1, 2, ("a",))) == repr(Twin(1, 2, ("a",))).replace("Twin", "Point")


def test_frozen_and_slotted() -> None:
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x
    assert not hasattr(p, "__dict__")


def test_replace() -> None:
    assert replace(Point(1, 2, ("a",)), y=5) == Point(1, 5, ("a",))


@record
class Labelled(Point):
    """A record derived from another: its fields first, one of them with a new default."""

    y: int = 7
    label: str = ""
    seen: list[str] = field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class LabelledTwin(Twin):
    y: int = 7
    label: str = ""
    seen: list[str] = dataclasses.field(default_factory=list)


def test_a_derived_record_orders_its_fields_as_a_dataclass() -> None:
    made = Labelled(1)
    assert (made.x, made.y, made.tags, made.label) == (1, 7, (), "")
    assert Labelled(1, 2, ("a",), "b") == Labelled(x=1, y=2, tags=("a",), label="b")
    twin = repr(LabelledTwin(1, 2, ("a",), "b"))
    assert repr(Labelled(1, 2, ("a",), "b")) == twin.replace("LabelledTwin", "Labelled")
    assert isinstance(made, Point) and made.norm() == 8
    assert not hasattr(made, "__dict__")
    with pytest.raises(AttributeError):
        made.label = "c"  # type: ignore[misc]


def test_a_factory_default_is_made_for_each_record() -> None:
    first, second = Labelled(1), Labelled(1)
    first.seen.append("a")
    assert (first.seen, second.seen) == (["a"], [])
    assert Labelled(1, seen=["b"]).seen == ["b"]
