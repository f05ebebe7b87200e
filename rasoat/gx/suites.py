"""Expectation suite files (GX's own serialized JSON) and the `ExpectationSuite` objects built from them.

Reading a file needs no Great Expectations import, so callers can check a suite's conventions (its
`meta` fields) without paying for it; building the suite object imports GX. Each caller keeps the
conventions of its own suites and caches what it builds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rasoat.gx.runtime import gx


class SuiteFileError(ValueError):
    """An expectation suite file is missing, malformed or breaks its caller's conventions."""


def read_suite(path: Path, name: str) -> dict[str, Any]:
    """The suite file at `path` as a JSON dict; its `name` must be `name`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteFileError(f"cannot read expectation suite {path}: {exc}") from exc
    if raw.get("name") != name:
        raise SuiteFileError(f"{path}: suite name must be '{name}'")
    return raw


def build_suite(
    name: str,
    expectations: Iterable[Mapping[str, Any]],
    *,
    id: str | None = None,
    meta: Mapping[str, Any] | None = None,
    notes: Any = None,
) -> Any:
    """A fresh `gx.ExpectationSuite` holding copies of the serialized `expectations`."""
    return gx().ExpectationSuite(
        name=name,
        id=id,
        expectations=[dict(e) for e in expectations],  # GX must not touch the cached file dicts
        meta=dict(meta or {}),
        notes=notes,
    )


def suite_from_file(raw: Mapping[str, Any]) -> Any:
    """The `gx.ExpectationSuite` a suite file (as `read_suite` returns it) describes."""
    return build_suite(
        raw["name"], raw["expectations"], id=raw.get("id"), meta=raw.get("meta"), notes=raw.get("notes")
    )
