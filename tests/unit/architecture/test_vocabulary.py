"""The vocabulary is typed: no bot name, reason or status is written as a string literal in ``src``.

A scan of every module's syntax tree for string constants equal to a value of the vocabulary's enums
(:class:`Bot`, every reason family, every status). Allowed: the enum definitions themselves (the member
assignments), docstrings, field names (a dict key, a subscript, ``.get("error")``, ``"error" in body``:
a key that happens to spell a value is not the value), and the modules that ARE the wire and storage
codecs, which spell the stored and exchanged values by design.

If this fails, use the enum member (``Bot.WEATHER``, ``NoTradeReason.KILL_SWITCH``,
``TradeStatus.PENDING``...) instead of its text; its ``.value`` is the same string, so nothing stored
changes.
"""

from __future__ import annotations

import ast
from enum import Enum
from pathlib import Path

from kalshi_bots.app.placement import PlacementStatus
from kalshi_bots.app.results import Outcome
from kalshi_bots.domain.market_snapshot import TradeDecision
from kalshi_bots.domain.models import Bot, OrderStatus, RunStatus, TradeStatus
from kalshi_bots.domain.reasons import ErrorReason, NoTradeReason, OrderReason, PriceProblem, RunReason

SRC = Path(__file__).resolve().parents[3] / "src"
VOCABULARY: tuple[type[Enum], ...] = (
    Bot,
    NoTradeReason,
    ErrorReason,
    RunReason,
    OrderReason,
    PriceProblem,
    TradeStatus,
    OrderStatus,
    RunStatus,
    Outcome,
    PlacementStatus,
    TradeDecision,
)
KNOWN: dict[str, str] = {str(member.value): family.__name__ for family in VOCABULARY for member in family}
# The codecs: what is stored (adapters/store) and what Kalshi sends and takes (the wire models); the
# sandbox's fake servers speak Kalshi's wire on their own, so a drift of ours from it shows in the tests.
CODECS = (
    "kalshi_bots/adapters/store/",
    "kalshi_bots/adapters/kalshi/wire.py",
    "kalshi_bots/adapters/kalshi/wire_account.py",
    "kalshi_bots/sandbox/",
)
_KEY_METHODS = frozenset({"get", "pop", "setdefault"})


def _is_enum_class(node: ast.ClassDef) -> bool:
    names = [
        b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
        for b in node.bases
    ]
    return any(name.endswith("Enum") for name in names)


def _allowed_nodes(tree: ast.AST) -> set[int]:
    """ids of the string constants that are not uses of a value: enum members, docstrings, field names."""
    allowed: set[int] = set()

    def allow(node: ast.AST | None) -> None:
        if node is not None:
            allowed.update(id(sub) for sub in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and _is_enum_class(node):
            for statement in node.body:
                if isinstance(statement, ast.Assign | ast.AnnAssign):
                    allow(statement.value)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr):
                allow(first.value)
        if isinstance(node, ast.Dict):
            for key in node.keys:
                allow(key)
        if isinstance(node, ast.Subscript):
            allow(node.slice)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _KEY_METHODS
        ):
            allow(node.args[0] if node.args else None)
        if isinstance(node, ast.Compare) and all(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            allow(node.left)
    return allowed


def literals_in(source: str, where: str) -> list[str]:
    """``where:line: 'value' (Family)`` for every string constant of the vocabulary used as a value."""
    tree = ast.parse(source)
    allowed = _allowed_nodes(tree)
    found = [
        f"{where}:{node.lineno}: {node.value!r} ({KNOWN[node.value]})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in KNOWN
        and id(node) not in allowed
    ]
    return sorted(found)


def test_no_bot_reason_or_status_literal_outside_the_enums_and_codecs() -> None:
    offenders: list[str] = []
    for path in sorted((SRC / "kalshi_bots").rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        if not where.startswith(CODECS):
            offenders += literals_in(path.read_text(), where)
    assert offenders == [], "use the enum member, not its text:\n" + "\n".join(offenders)


def test_the_scan_finds_a_literal_and_ignores_members_docstrings_and_field_names() -> None:
    source = '''
"""Module doc saying weather."""
from enum import StrEnum

class Kind(StrEnum):
    WEATHER = "weather"

def f(x, body):
    """weather"""
    if x.bot == "weather" or x.reason in ("kill_switch", "loss_limit"):
        return {"error": body["error"], "ok": body.get("pending")}
    return "error" in body
'''
    assert literals_in(source, "m.py") == [
        "m.py:10: 'kill_switch' (NoTradeReason)",
        "m.py:10: 'loss_limit' (NoTradeReason)",
        "m.py:10: 'weather' (Bot)",
    ]


def test_every_value_of_the_vocabulary_is_known_to_the_scan() -> None:
    assert KNOWN["btc-hourly"] == "Bot" and KNOWN["discovered"] == "Bot"
    assert KNOWN["store_unavailable"] == "ErrorReason" and KNOWN["not_filled"] == "OrderReason"
    assert KNOWN["error-transient"] == "RunStatus" and KNOWN["resting"] == "OrderStatus"
