"""The import structure: no cycles, and the layers point one way (flows → tasks → rasoat).

Read from the code by grimp. Imports inside functions count (a lazy import that dodges a cycle
still ties the two modules together); imports under `if TYPE_CHECKING:` do not (they never run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grimp
import pytest

PACKAGES = ("rasoat", "flows", "tasks")
# The CLI starts flows: it stands above them, and nothing in rasoat imports it.
ENTRY_POINTS = ("rasoat.cli", "rasoat.cli_demo", "rasoat.cli_render", "rasoat.__main__")
# Modules that talk to Prefect without being flows or tasks: running the service, its forms and clients.
PREFECT_FACING = (
    "rasoat.operations",
    "rasoat.prefect_server",
    "rasoat.prefect_settings",
    "rasoat.task_runner",
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        *PACKAGES, include_external_packages=True, exclude_type_checking_imports=True, cache_dir=None
    )


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _edges(graph: grimp.ImportGraph, group: Iterable[str], key: Callable[[str], str]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module in group:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.split(".")[0] in PACKAGES:
                a, b = key(module), key(imported)
                if a != b:
                    edges.setdefault(a, set()).add(b)
    return edges


def _own(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if m.split(".")[0] in PACKAGES)


def _package(module: str) -> str:
    """`rasoat.pipeline.intake` → `rasoat.pipeline`; `tasks.intake` → `tasks`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "rasoat" and len(parts) > 1 else parts[0]


def test_no_module_imports_itself_back(graph: grimp.ImportGraph) -> None:
    assert _cycles(_edges(graph, _own(graph), lambda m: m)) == []


def test_no_cycle_between_packages(graph: grimp.ImportGraph) -> None:
    assert _cycles(_edges(graph, _own(graph), _package)) == []


def test_the_cycle_finder_finds_cycles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]


def test_layers_point_one_way(graph: grimp.ImportGraph) -> None:
    wrong = []
    for module in _own(graph):
        imported = graph.find_modules_directly_imported_by(module)
        layer = module.split(".")[0]
        if layer == "tasks":
            wrong += [(module, i) for i in imported if i.startswith("flows")]
        if layer == "rasoat" and not module.startswith(ENTRY_POINTS):
            wrong += [(module, i) for i in imported if i.split(".")[0] in ("flows", "tasks")]
    assert wrong == []


def test_the_domain_core_does_not_know_prefect(graph: grimp.ImportGraph) -> None:
    knows = [
        m
        for m in _own(graph)
        if m.startswith("rasoat")
        and not m.startswith(ENTRY_POINTS + PREFECT_FACING)
        and "prefect" in graph.find_modules_directly_imported_by(m)
    ]
    assert knows == []
