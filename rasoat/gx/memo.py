"""One Great Expectations cost removed: `Expectation.configuration` rebuilt dozens of times per check.

GX 1.x builds an expectation's `configuration` afresh (pydantic `.dict()`, JSON conversion, a new
`ExpectationConfiguration`) on every access, and its kwargs helpers (`_get_domain_kwargs`,
`_get_success_kwargs`, `_get_runtime_kwargs`) access it once per key: profiled on a commune's 91
checks, ≈ 45 accesses per expectation and ≈ 45 % of a validation's time (a fixed ≈ 0.4 s a commune,
whatever its size). The Expectation objects GX works on during one `Batch.validate` are fresh
(`to_domain_obj()` of deep-copied configurations) and not changed while it runs, so inside
`memo_scope()` each object's configuration is built once and reused; outside it GX is untouched.

This patches a GX internal: `install` refuses, loudly, a GX whose `Expectation.configuration` is not
the property it wraps, and `tests/test_gx.py` checks that the memo still takes effect and changes no
result.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rasoat.gx.runtime import gx

_local = threading.local()
_installed = False
_install_lock = threading.Lock()
_build: Callable[[Any], Any] | None = None  # GX's own getter, kept by `install`


class MemoNotApplicable(RuntimeError):
    """This Great Expectations no longer has the internals the memo wraps: revisit this module."""


def _active() -> dict[int, tuple[Any, Any]] | None:
    return getattr(_local, "cache", None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Reuse each expectation's configuration within this block (this thread only)."""
    install()
    outer = _active()
    if outer is not None:  # nested: the outer scope's cache serves
        yield
        return
    _local.cache = {}
    try:
        yield
    finally:
        _local.cache = None  # drop the objects: nothing outlives one validation


def _configuration(self: Any) -> Any:
    assert _build is not None  # set by `install` before this getter replaces GX's
    cache = _active()
    if cache is None:
        return _build(self)
    hit = cache.get(id(self))
    if hit is not None and hit[0] is self:  # the object is kept alive: its id is not reused
        return hit[1]
    built = _build(self)
    cache[id(self)] = (self, built)
    return built


def gx_getter() -> Callable[[Any], Any]:
    """GX's own `Expectation.configuration` getter, checked to be the one the memo was written for."""
    gx()
    from great_expectations.expectations.expectation import Expectation

    found = Expectation.__dict__.get("configuration")
    if not isinstance(found, property) or found.fget is None:
        raise MemoNotApplicable(f"Expectation.configuration is {found!r}, not a property")
    if found.fget is _configuration:
        assert _build is not None
        return _build
    if list(inspect.signature(found.fget).parameters) != ["self"]:
        raise MemoNotApplicable(f"Expectation.configuration getter takes {inspect.signature(found.fget)}")
    return found.fget


def install() -> None:
    """Wrap `Expectation.configuration` once per process (idempotent)."""
    global _installed, _build
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        from great_expectations.expectations.expectation import Expectation

        _build = gx_getter()
        Expectation.configuration = property(_configuration)  # type: ignore[method-assign,assignment]
        _installed = True
