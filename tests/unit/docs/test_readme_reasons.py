"""The README's "Trading modes and safety" section names every refusal reason the bots can give, as the
issue asked: a reason added to the enum without a line for users fails here."""

from __future__ import annotations

from pathlib import Path

from kalshi_bots.domain.reasons import NoTradeReason

README = Path(__file__).resolve().parents[3] / "README.md"


def _safety_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Trading modes and safety")
    return text[start : text.index("\n## ", start + 1)]


def test_every_refusal_reason_is_explained_in_the_readme() -> None:
    section = _safety_section()
    missing = [reason.value for reason in NoTradeReason if f"`{reason.value}`" not in section]
    assert missing == [], f"README 'Trading modes and safety' does not mention: {missing}"
