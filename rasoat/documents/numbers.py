"""Document numbers and symbols (Decree 30/2020 Phụ lục III): "Số: 05/QĐ-UBND".

Each issuing agency numbers its documents from 01 each year. Administrative documents (notices,
decisions, reports) share one series; certificates (Mẫu 03, "…/GCN-HN.HCN") have their own book,
as communes keep them. The register in `rasoat.db.register` decides which number a document gets;
this module only knows how numbers look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Type abbreviations (Phụ lục III) and the agency part of the symbol.
NOTICE = "TB"
DECISION = "QĐ"
REPORT = "BC"
CERTIFICATE = "GCN"
AGENCY_SYMBOL = "UBND"
CERTIFICATE_SYMBOL = "GCN-HN.HCN"

SERIES_DOCUMENTS = "documents"
SERIES_CERTIFICATES = "certificates"

_APPROVAL_NUMBER = re.compile(r"^\s*0*(\d{1,6})\s*/\s*([^\s()]+)")


def series_of(doc_type: str) -> str:
    return SERIES_CERTIFICATES if doc_type == CERTIFICATE else SERIES_DOCUMENTS


def symbol(number: int, doc_type: str) -> str:
    """ "05/QĐ-UBND"; at least two digits, as the examples in the decree are written."""
    suffix = CERTIFICATE_SYMBOL if doc_type == CERTIFICATE else f"{doc_type}-{AGENCY_SYMBOL}"
    return f"{number:02d}/{suffix}"


@dataclass(frozen=True)
class DocumentNumber:
    number: int
    symbol: str

    @property
    def label(self) -> str:
        return f"Số: {self.symbol}"


def parse_decision_number(text: str | None) -> DocumentNumber | None:
    """The approver's decision number ("123/QĐ-UBND", "01/QĐ-UBND (demo)") as number and symbol;
    None when it does not start with a number and a symbol (the register then gives one)."""
    match = _APPROVAL_NUMBER.match(text or "")
    if not match:
        return None
    number = int(match.group(1))
    return DocumentNumber(number, f"{number:02d}/{match.group(2)}")
