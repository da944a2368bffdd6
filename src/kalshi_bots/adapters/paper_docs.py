"""JSON documents for the paper exchange's orders, fills and settlements (kept in the store's docs).

One generic codec for the frozen domain dataclasses instead of a hand-written pair per type: Decimals
travel as strings (exact), datetimes as ISO-8601 with offset, enums as their values. Keys are the
dataclass field names, so documents written by earlier versions stay readable; unknown keys (extra
context such as the order's limit price) are kept in the document and ignored when read back.
"""

from __future__ import annotations

import json
import types
from dataclasses import fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


def dumps(obj: Any, **extra: Any) -> str:
    if not is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"expected a dataclass instance, got {type(obj).__name__}")
    body = {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    return json.dumps(body | {k: _plain(v) for k, v in extra.items()})


def loads(cls: type[T], text: str) -> T:
    raw = json.loads(text)
    hints = get_type_hints(cls)
    values = {f.name: _typed(hints[f.name], raw[f.name]) for f in fields(cls) if f.name in raw}  # type: ignore[arg-type]
    return cls(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    if hint is Decimal:
        return Decimal(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    return value
