"""One Great Expectations cost removed: the whole table copied for every column check.

GX's pandas engine gives a column metric its batch's whole table (`get_domain_records`) and only
then filters the rows (`df[df[column].notnull()]`, the failing rows) before reading the one column
it checks. On the households' table (≈ 50 columns with the prepared rule columns) each column check
copied every column two or three times: profiled on a 6,000-household commune, ≈ 40 % of that
suite's run, and growing with the rows. Inside `narrow_scope()`, the records of a column,
column-pair or column-list domain are those columns of the table only, taken after GX applied the
domain's row condition and `ignore_row_if` itself, so every row GX keeps or drops is still its own
decision. Table-domain metrics (the columns, their types, the row count) still see the whole table,
and so does the one column metric that asks for its records without naming its column (the failing
values, which the runner leaves out of every result).

It holds for the result format `rasoat.gx.runner` asks for (index labels, no unexpected rows, no
index columns): nothing read from a column domain's records then looks beyond its columns. This
patches a GX internal: `install` refuses, loudly, a GX whose `PandasExecutionEngine` no longer has
the method it wraps, and `tests/test_gx.py` checks that narrowing changes no result.
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
_records: Callable[[Any, dict], Any] | None = None  # GX's own method, kept by `install`


class NarrowNotApplicable(RuntimeError):
    """This Great Expectations no longer has the internals the narrowing wraps: revisit this module."""


@contextmanager
def narrow_scope() -> Iterator[None]:
    """Column domains see their own columns only within this block (this thread only)."""
    install()
    outer = getattr(_local, "active", False)
    _local.active = True
    try:
        yield
    finally:
        _local.active = outer


def domain_columns(domain_kwargs: dict) -> list[str] | None:
    """The columns a domain reads; None for a table domain."""
    if "column" in domain_kwargs:
        return [domain_kwargs["column"]]
    if "column_A" in domain_kwargs and "column_B" in domain_kwargs:
        return [domain_kwargs["column_A"], domain_kwargs["column_B"]]
    if "column_list" in domain_kwargs:
        return list(domain_kwargs["column_list"])
    return None


def _get_domain_records(self: Any, domain_kwargs: dict) -> Any:
    assert _records is not None  # set by `install` before this method replaces GX's
    data = _records(self, domain_kwargs)
    if not getattr(_local, "active", False):
        return data
    columns = domain_columns(domain_kwargs)
    # An absent column is left to GX, whose own error the runner reads as "could not run".
    if columns is None or not all(c in data.columns for c in columns):
        return data
    return data[columns]


def gx_method() -> Callable[[Any, dict], Any]:
    """GX's own `PandasExecutionEngine.get_domain_records`, checked to be the one this was written for."""
    gx()
    from great_expectations.execution_engine import PandasExecutionEngine

    found = PandasExecutionEngine.__dict__.get("get_domain_records")
    if not callable(found):
        raise NarrowNotApplicable(f"PandasExecutionEngine.get_domain_records is {found!r}")
    if found is _get_domain_records:
        assert _records is not None
        return _records
    if list(inspect.signature(found).parameters) != ["self", "domain_kwargs"]:
        raise NarrowNotApplicable(f"get_domain_records takes {inspect.signature(found)}")
    return found


def install() -> None:
    """Wrap `PandasExecutionEngine.get_domain_records` once per process (idempotent)."""
    global _installed, _records
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        from great_expectations.execution_engine import PandasExecutionEngine

        _records = gx_method()
        PandasExecutionEngine.get_domain_records = _get_domain_records  # type: ignore[method-assign]
        _installed = True
