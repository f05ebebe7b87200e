"""Consolidation settings from data/consolidation.yaml (thresholds are configuration, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from rasoat.config import data_dir

SETTINGS_FILE = "consolidation.yaml"


@dataclass(frozen=True)
class ConsolidationSettings:
    poor_rate_change_warning_pp: float  # warning when |rate − last year's rate| exceeds this


@cache
def _load(path: Path) -> ConsolidationSettings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    threshold = float(raw["poor_rate_change_warning_pp"])
    if threshold < 0:
        raise ValueError(f"{path.name}: poor_rate_change_warning_pp must be >= 0")
    return ConsolidationSettings(poor_rate_change_warning_pp=threshold)


def load_settings() -> ConsolidationSettings:
    return _load(data_dir() / SETTINGS_FILE)
