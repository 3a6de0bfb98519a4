"""pot.record: the value classes of the hot modules behave as frozen slotted dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from pot.record import record, replace


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
