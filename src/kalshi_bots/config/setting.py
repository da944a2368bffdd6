"""How a setting is declared, and how a section of settings becomes the domain value the jobs read.

A setting is a field of a :class:`Section` (a frozen pydantic model) declared with :func:`setting`:
its environment variable, its parser (``str -> value``, :mod:`.parsers`), its default and its
description, all in one place. :func:`variables` flattens the nested sections into the table that
``Settings.from_env``, ``kalshi-bots settings`` and the README table read.

A section with ``PARAMS`` builds that domain value (a parameter dataclass, or a factory such as
``hourly_model``) with :meth:`Section.params`: each argument of ``PARAMS`` gets the section's field of
the same name (a nested section gives its own ``params()``), or a value from :meth:`Section.derived`,
or keeps its default, which must then be named in ``FIXED`` with the reason. Every field of the
section is such an argument, a source of a derived one (``DERIVED``) or read elsewhere (``ELSEWHERE``).
:func:`params_drift` checks all that; a test runs it on every section, so a parameter and a setting
cannot drift apart.
"""

# No `from __future__ import annotations`: pydantic evaluates the annotations of every section and
# of its bases (the ClassVars below) when the class is defined, on each Lambda cold start.

import dataclasses
import inspect
from collections.abc import Callable, Iterator, Mapping
from datetime import time
from functools import cache
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple, Self, TypeVar, cast

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo

PREFIX = "KALSHI_BOTS_"
Reasons = Mapping[str, str]  # a name -> why (FIXED, ELSEWHERE)
Sources = Mapping[str, tuple[str, ...]]  # an argument -> the fields it is derived from (DERIVED)
S = TypeVar("S", bound=BaseModel)


class Env(NamedTuple):
    """Marks a section field as the setting read from ``KALSHI_BOTS_<suffix>`` (kept in the field's
    pydantic metadata). A NamedTuple, as :class:`Variable`: defining a frozen dataclass costs a
    millisecond or more of a cold start."""

    suffix: str
    parse: Callable[[str], Any]
    secret: bool = False
    show: Callable[[Any], str] | None = None  # value -> text a user can set back; None = the usual


def setting(
    env: str,
    parse: Callable[[str], Any],
    default: Any,
    description: str,
    *,
    secret: bool = False,
    show: Callable[[Any], str] | None = None,
) -> Any:
    """A section field read from ``KALSHI_BOTS_<env>`` with ``parse``; ``description`` is its line in
    the README. ``secret`` values are never shown; ``show`` renders a value as text ``parse`` accepts."""
    # FieldInfo itself, not pydantic.Field(): the same field, built in a fifth of the time.
    info = FieldInfo(default=default, description=description)
    info.metadata.append(Env(env, parse, secret, show))
    return info


class Section(BaseModel):
    """A group of settings. See the module doc for ``PARAMS``, ``FIXED``, ``DERIVED`` and ``ELSEWHERE``.

    Settings are read on every Lambda cold start, so their classes stay cheap to define: pydantic builds
    a section's validator only when one is first validated (``defer_build``: a Settings built by hand,
    in tests and tools). :meth:`Settings.from_env` never does: its parsers already checked every value
    and produced the field's type, so it assembles the tree with :func:`construct`."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    PARAMS: ClassVar[Callable[..., Any] | None] = None  # the domain value this section builds
    FIXED: ClassVar[Reasons] = {}  # argument of PARAMS that is no setting -> why
    DERIVED: ClassVar[Sources] = {}  # argument -> the fields derived() reads
    ELSEWHERE: ClassVar[Reasons] = {}  # field that is no argument -> who reads it

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """pydantic's copy, except that an unknown field in ``update`` is an error, not silently dropped
        (a copy written for an older layout of the settings must not lose its change)."""
        unknown = sorted(set(update or {}) - set(type(self).model_fields))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(unknown)}")
        return super().model_copy(update=update, deep=deep)

    def derived(self) -> dict[str, Any]:
        """The arguments of ``PARAMS`` computed from several fields or converted (see ``DERIVED``)."""
        return {}

    def params(self) -> Any:
        """``PARAMS`` built from this section's fields by name (see the module doc)."""
        kind = type(self)  # PARAMS read on the class: a function there must not bind to self
        if kind.PARAMS is None:
            raise TypeError(f"{kind.__name__} builds no parameters")
        derived = self.derived()
        values = {
            name: _value(getattr(self, name))
            for name in _arguments(kind.PARAMS)
            if name in kind.model_fields and name not in derived
        }
        return kind.PARAMS(**values, **derived)


def section(kind: type[Section]) -> Any:
    """A field holding a nested section, its own defaults when not given (see :func:`default_of`)."""
    return FieldInfo(default_factory=lambda: default_of(kind))


def _value(field_value: Any) -> Any:
    return field_value.params() if isinstance(field_value, Section) else field_value


@cache
def _arguments(target: Callable[..., Any]) -> tuple[str, ...]:
    if dataclasses.is_dataclass(target):
        return tuple(f.name for f in dataclasses.fields(target) if f.init)
    return tuple(inspect.signature(target).parameters)


def params_drift(kind: type[Section]) -> list[str]:
    """Why ``kind``'s fields and its ``PARAMS`` arguments disagree (empty = they agree)."""
    if kind.PARAMS is None:
        return []
    where = f"{kind.__name__} -> {getattr(kind.PARAMS, '__name__', kind.PARAMS)}"
    arguments, fields = set(_arguments(kind.PARAMS)), set(kind.model_fields)
    by_name = (arguments & fields) - set(kind.DERIVED)
    problems = [
        f"{where}: {name} is neither a setting, nor derived, nor FIXED (with the reason)"
        for name in sorted(arguments - by_name - set(kind.DERIVED) - set(kind.FIXED))
    ]
    problems += [
        f"{where}: {name} is listed in FIXED or DERIVED but is no argument of {kind.PARAMS}"
        for name in sorted((set(kind.FIXED) | set(kind.DERIVED)) - arguments)
    ]
    problems += [f"{where}: {name} is a setting and FIXED" for name in sorted(by_name & set(kind.FIXED))]
    sources = {source for names in kind.DERIVED.values() for source in names}
    problems += [
        f"{where}: field {name} reaches no argument: name it as one, list it in DERIVED or in ELSEWHERE"
        for name in sorted(fields - by_name - sources - set(kind.ELSEWHERE))
    ]
    problems += [
        f"{where}: {name} is listed in DERIVED or ELSEWHERE but is no field"
        for name in sorted((sources | set(kind.ELSEWHERE)) - fields)
    ]
    return problems


class Variable(NamedTuple):
    """One environment variable: where its value lives in the settings, and how it reads and shows."""

    path: tuple[str, ...]  # field names from the top, e.g. ("hourly", "model", "name")
    env: Env
    default: Any
    description: str

    @property
    def name(self) -> str:
        return PREFIX + self.env.suffix

    @property
    def secret(self) -> bool:
        return self.env.secret

    def parse(self, raw: str) -> Any:
        return self.env.parse(raw)

    def value_in(self, settings: BaseModel) -> Any:
        value: Any = settings
        for name in self.path:
            value = getattr(value, name)
        return value

    def text(self, value: Any) -> str:
        """``value`` as a user would set it (secrets: only whether one is set)."""
        if self.env.secret:
            return "(set)" if value is not None else "(unset)"
        if self.env.show is not None:
            return self.env.show(value)
        return plain_text(value)

    @property
    def default_text(self) -> str:
        """The default as the README shows it; "" = unset."""
        return "" if self.default is None and self.env.show is None else self.text(self.default)


def plain_text(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def variables(kind: type[BaseModel], path: tuple[str, ...] = ()) -> Iterator[Variable]:
    """Every setting of ``kind`` and its nested sections, in declaration order."""
    for name, info in kind.model_fields.items():
        env = next((m for m in info.metadata if isinstance(m, Env)), None)
        if env is not None:
            yield Variable((*path, name), env, info.default, info.description or "")
        elif (nested := _section_of(info)) is not None:
            yield from variables(nested, (*path, name))
        else:
            raise TypeError(f"{kind.__name__}.{name} is neither a setting() nor a section()")


def construct(kind: type[S], tree: Mapping[str, Any]) -> S:
    """``kind`` holding the parsed values of ``tree`` (nested dicts for nested sections) and the
    defaults elsewhere, without validating again: each value comes from its setting's parser, which
    checked it and returned the field's type (a test holds every parser to that)."""
    values = dict(_defaults(kind))
    for name, value in tree.items():
        nested = _section_of(kind.model_fields[name])
        values[name] = construct(nested, value) if nested is not None else value
    return kind.model_construct(set(tree), **values)


_DEFAULTS: dict[type[BaseModel], BaseModel] = {}


def default_of(kind: type[S]) -> S:
    """``kind`` with all its defaults. Built once per class: sections are frozen, so every settings
    object shares it (the defaults are the declared ones: nothing to validate)."""
    built = _DEFAULTS.get(kind)
    if built is None:
        built = _DEFAULTS[kind] = construct(kind, {})
    return cast(S, built)


@cache
def _defaults(kind: type[BaseModel]) -> Mapping[str, Any]:
    """Every field's default (a nested section's: its shared default instance), read once per class:
    pydantic's own default lookup inspects each default factory's signature on every call."""
    return MappingProxyType(
        {
            name: default_of(nested) if (nested := _section_of(info)) is not None else info.default
            for name, info in kind.model_fields.items()
        }
    )


def _section_of(info: FieldInfo) -> type[Section] | None:
    kind = info.annotation
    return kind if isinstance(kind, type) and issubclass(kind, Section) else None


def nest(values: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """``{("hourly", "min_edge"): 0.05}`` -> ``{"hourly": {"min_edge": 0.05}}`` (for :func:`construct`)."""
    tree: dict[str, Any] = {}
    for path, value in values.items():
        node = tree
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = value
    return tree
