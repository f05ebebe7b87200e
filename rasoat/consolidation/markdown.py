"""A consolidated table as a markdown table, for the Prefect UI's artifacts (units only, no people)."""

from __future__ import annotations

import pandas as pd

from rasoat.consolidation.spec import headers_vi

# Columns that identify a row for the machine, not for the reader.
_HIDDEN = ("code", "level", "parent_code", "no_data")


def markdown_table(frame: pd.DataFrame, key: str) -> str:
    """Table `key` (r1 … r11) with its Vietnamese headers."""
    headers = {"tt": "TT", "name": "Đơn vị", "unit": "", **headers_vi(key)}
    keep = [c for c in frame.columns if c in headers and c not in _HIDDEN]
    shown = frame[keep].rename(columns=headers).astype(object).fillna("")
    lines = ["| " + " | ".join(map(str, shown.columns)) + " |", "|" + "---|" * len(shown.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in shown.itertuples(index=False)]
    return "\n".join(lines)
