"""Legal bases ("Căn cứ …") cited by the review documents (brief §7.6), first citations in full.

Which laws a document cites depends on its period: up to the 2024 round the Law on Local Government
of 2015 (amended 2019); from the 2025 round the Law No. 72/2025/QH15. The lists per document kind
and period are data (`data/legal_bases.yaml`), chosen by review year, with the unverified items
marked provisional there. A standard's own bases (its decree, a provincial resolution) come from
the standard (`standard_bases`), never from that file.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from rasoat.config import data_dir
from rasoat.standards import Standard, national_of

if TYPE_CHECKING:
    from rasoat.documents.agency import Agency

BASES_FILE = "legal_bases.yaml"
STANDARD = "standard"  # in a document's list: the round's standard's own bases
DOCUMENT_KINDS = ("notice", "decision", "certificate", "province_decision")
STANDARD_DECREES = {
    "ND07_2022_2026": (
        "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn nghèo "
        "đa chiều giai đoạn 2021 - 2025"
    ),
    "ND351_2027_2030": (
        "Căn cứ Nghị định số 351/2025/NĐ-CP ngày 30 tháng 12 năm 2025 của Chính phủ quy định chuẩn nghèo "
        "đa chiều giai đoạn 2026 - 2030"
    ),
}


class LegalBasesError(ValueError):
    """`data/legal_bases.yaml` is inconsistent, or no period covers a year."""


@dataclass(frozen=True)
class Reporting:
    """Whom the commune reports to and asks for an opinion before recognising (QĐ 24/2021 Điều 4
    bước 5), and the province decision's proposal and executors lines of the period."""

    superior_level: str  # district | province
    opinion_of: str | None  # "Chủ tịch Ủy ban nhân dân {superior}"; None: the report names no one
    provisional: bool  # [R]: configured, not confirmed in an official text
    province_proposal: str
    province_executors: str

    def opinion_phrase(self, superior: Agency) -> str | None:
        """ "Chủ tịch Ủy ban nhân dân tỉnh Quảng Trị", or None when the period's report names no one."""
        return None if self.opinion_of is None else self.opinion_of.format(superior=superior.phrase)


@dataclass(frozen=True)
class LegalPeriod:
    id: str
    name_vi: str
    first_year: int | None
    last_year: int | None
    documents: dict[str, tuple[str, ...]]  # kind → text ids (and `standard`)
    reporting: Reporting

    def covers(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True)
class LegalBases:
    texts: dict[str, str]
    provisional: frozenset[str]  # text ids not confirmed in their official text
    periods: tuple[LegalPeriod, ...]


def _year(value: Any) -> int | None:
    return None if value is None else int(value)


def _reporting(raw: dict[str, Any]) -> Reporting:
    level = str(raw["superior_level"])
    if level not in ("district", "province"):
        raise LegalBasesError(f"{BASES_FILE}: superior_level must be district or province, not {level!r}")
    return Reporting(
        superior_level=level,
        opinion_of=raw.get("opinion_of"),
        provisional=bool(raw.get("provisional", False)),
        province_proposal=str(raw["province_proposal"]),
        province_executors=str(raw["province_executors"]),
    )


def _parse(raw: dict[str, Any]) -> LegalBases:
    texts = {key: " ".join(str(item["text"]).split()) for key, item in raw["texts"].items()}
    provisional = frozenset(key for key, item in raw["texts"].items() if item.get("provisional"))
    periods = []
    for item in raw["periods"]:
        documents = {kind: tuple(ids) for kind, ids in item["documents"].items()}
        if set(documents) != set(DOCUMENT_KINDS):
            raise LegalBasesError(f"{BASES_FILE}: period {item['id']} must list exactly {DOCUMENT_KINDS}")
        unknown = {i for ids in documents.values() for i in ids} - set(texts) - {STANDARD}
        if unknown:
            raise LegalBasesError(f"{BASES_FILE}: period {item['id']} cites unknown texts {sorted(unknown)}")
        periods.append(
            LegalPeriod(
                id=str(item["id"]),
                name_vi=str(item["name_vi"]),
                first_year=_year(item.get("first_year")),
                last_year=_year(item.get("last_year")),
                documents=documents,
                reporting=_reporting(item["reporting"]),
            )
        )
    ordered = sorted(periods, key=lambda p: -1 if p.first_year is None else p.first_year)
    for before, after in itertools.pairwise(ordered):
        if before.last_year is None or after.first_year is None or before.last_year >= after.first_year:
            raise LegalBasesError(f"{BASES_FILE}: periods {before.id} and {after.id} overlap")
    return LegalBases(texts, provisional, tuple(ordered))


@cache
def legal_bases() -> LegalBases:
    raw = yaml.safe_load((data_dir() / BASES_FILE).read_text(encoding="utf-8"))
    return _parse(raw)


def legal_period(year: int | None = None) -> LegalPeriod:
    """The period of the review `year`; without a year, the period of the three-level map's rounds
    (the callers from before the two-tier map, whose documents must not change)."""
    bases = legal_bases()
    if year is None:
        return bases.periods[0]
    found = [p for p in bases.periods if p.covers(year)]
    if len(found) != 1:
        raise LegalBasesError(f"năm {year}: không có giai đoạn căn cứ pháp lý nào trong {BASES_FILE}")
    return found[0]


def period_year(agency: Agency, year: int) -> int | None:
    """The year whose period a document of `agency` cites: the review year when the agency is named
    on that year's map; None (the three-level period) for an agency named on the three-level map —
    a document headed "THỊ TRẤN …" and reporting to a district is one of that map's documents, and
    citing the law of the two-tier map in it would contradict its own header."""
    return year if agency.two_tier else None


def _basis(standard: Standard) -> str:
    return STANDARD_DECREES.get(standard.id, f"Căn cứ {standard.legal_basis}")


def standard_bases(standard: Standard) -> list[str]:
    """The standard's legal bases: a provincial standard cites the national decree it sits above,
    then its own resolution."""
    national = national_of(standard)
    return [_basis(national)] if national is standard else [_basis(national), _basis(standard)]


def document_bases(kind: str, standard: Standard, year: int | None = None) -> list[str]:
    """The "Căn cứ" lines of a document kind in the period of `year` (none: the three-level period)."""
    texts = legal_bases().texts
    lines: list[str] = []
    for item in legal_period(year).documents[kind]:
        lines.extend(standard_bases(standard) if item == STANDARD else [texts[item]])
    return lines


def review_bases(standard: Standard, year: int | None = None) -> list[str]:
    """The bases of the commune's recognition decision (and, the same list, of the province's)."""
    return document_bases("decision", standard, year)


def provisional_items(year: int) -> list[str]:
    """The ids of what the period of `year` cites or configures without confirmation ([R])."""
    period = legal_period(year)
    cited = {i for ids in period.documents.values() for i in ids}
    items = sorted(cited & legal_bases().provisional)
    return [*items, "reporting"] if period.reporting.provisional else items


# The three-level period's texts by their old names, for callers from before the data file; read on
# first use, not at import (RASOAT_DATA_DIR may be set after this module is imported).
_LEGACY_NAMES = {
    "LOCAL_GOVERNMENT_LAWS": "luat_tccqdp_2015",
    "DECISION_24": "qd_24_2021",
    "CIRCULAR_07": "tt_07_2021",
}


def __getattr__(name: str) -> str:
    if name in _LEGACY_NAMES:
        return legal_bases().texts[_LEGACY_NAMES[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
