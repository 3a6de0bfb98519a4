"""``@record``: small immutable value classes for the modules every command loads.

They behave as ``@dataclass(frozen=True, slots=True)`` classes do for what this package
uses: positional or keyword construction with defaults, equality and hash over the
fields (in declaration order, same class only), a repr, and no assignment after
construction. The dataclasses module is not used because nomad-pot-driver runs pot
several times a second per task: importing it (it imports inspect, ast, dis ...) and
generating a dataclass's methods cost more than a whole ``pot get-rss`` does.
Type checkers see a dataclass (PEP 681's dataclass_transform).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, ClassVar, TypeVar, dataclass_transform

    C = TypeVar("C", bound=type)
    R = TypeVar("R")
    T = TypeVar("T")
else:

    def dataclass_transform(**_kwargs: object) -> object:
        return lambda f: f


class _Record:
    """The methods every record class gets; ``_fields``/``_defaults`` are per class."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[Mapping[str, object]] = {}

    def __init__(self, *args: object, **kwargs: object) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} arguments")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields or name in values:
                raise TypeError(f"{type(self).__name__}() got a bad argument {name!r}")
            values[name] = value
        for name in fields:
            if name in values:
                value = values[name]
            elif name in self._defaults:
                value = self._defaults[name]
                if value.__class__ is _Factory:
                    value = value.make()
            else:
                raise TypeError(f"{type(self).__name__}() missing argument {name!r}")
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, _Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"


class _Factory:
    """The default of a field made anew for each record (``field(default_factory=f)``)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default ``default_factory()`` makes for each record, as in dataclasses."""
    made: Any = _Factory(default_factory)
    return made  # type: ignore[no-any-return]


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: C) -> C:
    """Make ``cls`` (annotated fields, optional defaults, methods) a record class.

    A record class may derive from another: its fields come first (a field declared again
    keeps its place and takes its new default), then the class's own, as in dataclasses.
    """
    base = cls.__bases__[0]
    inherited: tuple[str, ...] = base._fields if issubclass(base, _Record) else ()
    # the class's own annotations (inspect.get_annotations would import inspect)
    own = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063
    fields = inherited + tuple(name for name in own if name not in inherited)
    namespace: dict[str, Any] = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in own and key not in ("__dict__", "__weakref__")
    }
    namespace["__slots__"] = tuple(name for name in own if name not in inherited)
    namespace["_fields"] = fields
    defaults = dict(base._defaults) if issubclass(base, _Record) else {}
    defaults.update({name: cls.__dict__[name] for name in own if name in cls.__dict__})
    namespace["_defaults"] = defaults
    bases = cls.__bases__ if issubclass(base, _Record) else (_Record,)
    made: C = type(cls.__name__, bases, namespace)  # type: ignore[assignment]
    return made


def replace(instance: R, **changes: object) -> R:
    """A copy of a record with some fields changed (dataclasses.replace)."""
    assert isinstance(instance, _Record)
    values = {name: getattr(instance, name) for name in instance._fields}
    values.update(changes)
    made: R = type(instance)(**values)
    return made
