"""Typed documents in the store's document table: one :class:`Shelf` per kind, declaring its name and
its encoding once, so the jobs keep values (a :class:`~kalshi_bots.app.alert_state.Streak`, a claim's holder)
and never handle JSON text or kind strings themselves.

The table itself (:class:`~kalshi_bots.ports.store.DocStore`: text under (kind, key), with an insert
that only one of any number of concurrent writers wins) is the adapters' business: the paper exchange
keeps its wallet and orders there, the sandbox its clock. A shelf's encoding is the stored format: change
it only together with a decoder for what older versions wrote (``tests/data`` holds such a store).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from kalshi_bots.ports.store import DocStore

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Shelf(Generic[T]):
    """The documents of one ``kind``, as values of type ``T``."""

    store: DocStore
    kind: str
    encode: Callable[[T], str]
    decode: Callable[[str], T]

    def get(self, key: str) -> T | None:
        text = self.store.get_doc(self.kind, key)
        return None if text is None else self.decode(text)

    def put(self, key: str, value: T) -> None:
        """Store ``value`` under ``key``, replacing what was there."""
        self.store.put_doc(self.kind, key, self.encode(value))

    def add(self, key: str, value: T) -> bool:
        """Store ``value`` only if ``key`` is free: of any number of concurrent adds exactly one wins
        (True); the others change nothing (False)."""
        return self.store.put_doc(self.kind, key, self.encode(value), only_if_absent=True)

    def items(self) -> list[tuple[str, T]]:
        """Every (key, value) of the kind, ordered by key."""
        return [(key, self.decode(text)) for key, text in self.store.list_docs(self.kind)]
