"""No import cycle anywhere in ``src/kalshi_bots``: not between layers (import-linter's contracts catch
those) and not inside one, where the contracts cannot see. A cycle means two modules are one concept
split by line count, or one holds what both need; either way it wants a module of its own.

Every import counts: at module level, inside a function (a lazy import) and under ``TYPE_CHECKING``.
The graph is grimp's (import-linter's own engine), cycles are its strongly connected components."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grimp

PACKAGE = "kalshi_bots"


def cycles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each group of modules that import one another in a ring (strongly connected components with more
    than one module, or a module importing itself), sorted; iterative Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(imports.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in imports.get(node, ()):
                        found.append(sorted(group))
    return sorted(found)


def _describe(graph: grimp.ImportGraph, group: list[str]) -> str:
    members = set(group)
    lines = [" <-> ".join(group)]
    for importer in group:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"    {importer}:{detail['line_number']}: {detail['line_contents']}")
    return "\n".join(lines)


def test_no_module_in_src_is_part_of_an_import_cycle() -> None:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    found = cycles(imports)
    assert found == [], "import cycles (give what both sides need a module of its own):\n" + "\n".join(
        _describe(graph, group) for group in found
    )


def test_the_check_finds_rings_of_any_length_and_only_them() -> None:
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},  # a -> b -> c -> a
        "d": {"e"},
        "e": set(),  # a chain, not a cycle
        "f": {"f"},  # a module importing itself
        "g": {"h"},
        "h": {"g"},  # the two-module ring of cli_commands <-> cli_run before it was broken
    }
    assert cycles(graph) == [["a", "b", "c"], ["f"], ["g", "h"]]
    assert cycles({"x": {"y"}, "y": {"z"}, "z": set()}) == []
