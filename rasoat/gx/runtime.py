"""The process's Great Expectations: its lazy import, its analytics switch, its context and lock.

`import great_expectations` takes about 5 s, so it is imported on first use, once per process, never
when a rasoat module is imported. The machines have no internet: analytics are switched off here,
before that import, and nowhere else. One ephemeral (in-memory) context, with progress bars off,
serves every suite the process runs; a pandas data source in it holds one dataframe asset per table
name, added the first time a table is validated. GX contexts are not meant to be used by several
threads at once, so every use of the shared context holds `lock`.

GX's execution engine keeps every batch it loaded (the frame itself) until a batch of the same name
replaces it: a round's worker would hold the last commune's checked tables while it reads, checks
and writes the next one. `release_batches` lets them go once a suite has run.
"""

from __future__ import annotations

import os
import threading
from types import ModuleType
from typing import Any

ANALYTICS_VARIABLE = "GX_ANALYTICS_ENABLED"
DATASOURCE = "rasoat"
BATCH_DEFINITION = "whole_frame"

# Re-entrant: a caller holding it (a suite run) may ask for the context or a batch definition.
lock = threading.RLock()
_gx: ModuleType | None = None
_context: Any = None
_batch_definitions: dict[str, Any] = {}


def disable_analytics() -> None:
    """Turn GX's analytics off for this process and the processes it starts."""
    # Forced, not defaulted: nothing here can reach GX's servers, whatever the environment says.
    os.environ[ANALYTICS_VARIABLE] = "False"


def _skip_fingerprints() -> None:
    """No fingerprint of the frames a suite runs on.

    GX hashes every column of a pandas batch (twice a run: the batch, then the validator's own)
    for a batch marker nobody here reads; on a commune's members that was a third of the suite's
    run. GX skips frames of `HASH_THRESHOLD` bytes and more, so a threshold of 0 skips them all."""
    from great_expectations.execution_engine import pandas_execution_engine

    if not isinstance(getattr(pandas_execution_engine, "HASH_THRESHOLD", None), int | float):
        raise RuntimeError("great_expectations has no pandas HASH_THRESHOLD any more: revisit runtime.py")
    pandas_execution_engine.HASH_THRESHOLD = 0


def gx() -> ModuleType:
    """The `great_expectations` module, imported on first use with analytics off."""
    global _gx
    if _gx is None:
        with lock:
            if _gx is None:
                disable_analytics()
                import great_expectations

                _skip_fingerprints()
                _gx = great_expectations
    return _gx


def quiet_context(data_docs_sites: dict[str, Any] | None = None) -> Any:
    """A new ephemeral data context whose config turns progress bars and analytics off.

    No Data Docs site unless one is given (GX's default ephemeral context makes a temporary one)."""
    gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=data_docs_sites or {},
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx().get_context(mode="ephemeral", project_config=config)


def context() -> Any:
    """The process's shared context, created on first use."""
    global _context
    if _context is None:
        with lock:
            if _context is None:
                ctx = quiet_context()
                ctx.data_sources.add_pandas(DATASOURCE)
                _context = ctx
    return _context


def batch_definition(table: str) -> Any:
    """The whole-dataframe batch definition of `table` in the shared context (added once)."""
    with lock:
        found = _batch_definitions.get(table)
        if found is None:
            asset = context().data_sources.get(DATASOURCE).add_dataframe_asset(table)
            found = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
            _batch_definitions[table] = found
        return found


def release_batches() -> None:
    """Drop the frames the shared context's execution engine keeps from the suites it ran.

    Each `run_suite` loads its frame again (`get_batch`), so nothing is lost; what GX keeps between
    runs is the last frame of each table name, which in a worker is the previous commune's."""
    with lock:
        if _context is None:
            return
        engine = _context.data_sources.get(DATASOURCE).get_execution_engine()
        manager = engine.batch_manager
        cached = manager.batch_data_cache
        if not isinstance(cached, dict):
            raise RuntimeError("great_expectations' batch manager changed: revisit release_batches")
        cached.clear()
        manager.reset_batch_cache()
