"""The domain must not read the clock or the environment: import-linter forbids I/O modules, and this
test catches the calls it cannot see (``datetime.now()``, ``date.today()``, ``os.environ``)."""

from __future__ import annotations

import re
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[3] / "src" / "kalshi_bots" / "domain"
FORBIDDEN = re.compile(r"\.(now|utcnow|today)\(|\btime\.time\(|\benviron\b|\bopen\(")


def test_domain_has_no_clock_env_or_file_access() -> None:
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if FORBIDDEN.search(code):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == [], "domain code must take time and settings as arguments:\n" + "\n".join(offenders)


def test_the_check_itself_recognises_a_clock_call() -> None:
    assert FORBIDDEN.search("x = datetime.now(UTC)")
    assert FORBIDDEN.search("d = date.today()")
    assert not FORBIDDEN.search("def next_top_of_hour(now: datetime) -> datetime:")
