"""Read and write the recorder's snapshot export CSV (columns: :mod:`kalshi_bots.domain.snapshot_export`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.snapshot_export import COLUMNS, SnapshotRow, decode, encode


class SnapshotFileError(ValueError):
    """A snapshot export file is missing or malformed; the message names the file and line."""


def write_snapshot_csv(rows: Iterable[SnapshotRow], path: Path) -> int:
    """Write ``rows`` with the schema's header; returns how many rows were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(encode(row))
            count += 1
    return count


def read_snapshot_csv(path: Path) -> list[SnapshotRow]:
    if not path.is_file():
        raise SnapshotFileError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise SnapshotFileError(f"{path}: not a snapshot export, missing column(s) {', '.join(missing)}")
        try:
            return [decode(record, f"{path}:{line}") for line, record in enumerate(reader, start=2)]
        except DomainError as exc:
            raise SnapshotFileError(str(exc)) from exc
