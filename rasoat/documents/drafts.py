"""A document before it has a number: what it is, who issues it, and the data it shows.

`data` is exactly what the document shows (counts, lists, tables), in JSON-able form; its sha256
(`data_sha256`) decides whether a regenerated document keeps its number. The number and the date
are not part of it: they are what the register decides.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from rasoat.documents.agency import Agency


def data_fingerprint(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Draft:
    kind: str  # notice | decision | commune_report | district_report | province_decision
    template: str
    doc_type: str  # TB, QĐ, BC
    doc_key: str
    title: str  # the register's title (no personal data)
    agency: Agency
    year: int
    file_stem: str
    data: Any = field(repr=False)
    view: dict[str, Any] = field(repr=False, default_factory=dict)
    personal: bool = False  # names in the file: written 0600
    counts: dict[str, int] = field(default_factory=dict)  # shown in the Prefect artifacts

    @property
    def data_sha256(self) -> str:
        return data_fingerprint(self.data)
