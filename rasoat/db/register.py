"""The document number register (table `documents`): one numbering per issuing agency per year.

- A number, once given, is never given again: new numbers are the series' highest + 1, including
  numbers of documents that were superseded.
- Regenerating a document (same `doc_key`) whose data hash is unchanged keeps its number and its
  date; changed data gets a new number, and the old row stays as the record of what was issued.
- Rows are written in the caller's transaction, together with the file's sha256 once it is written,
  so a failed run leaves neither a number nor a file behind it (the unique constraint on
  (agency, year, symbol) stops two runs from taking the same number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from rasoat.db.models import Document
from rasoat.db.rows import write_frame
from rasoat.documents.numbers import CERTIFICATE, DocumentNumber, series_of, symbol

PENDING = "-"  # path and sha256 of a row whose file is being written in this transaction


class NumberTakenError(RuntimeError):
    """A decision number given by a person is already the number of another document."""


@dataclass(frozen=True)
class Registered:
    record_id: int
    number: int
    symbol: str
    issued_on: dt.date
    reused: bool


def _series_filter(doc_type: str):  # type: ignore[no-untyped-def]
    return (
        Document.doc_type == CERTIFICATE
        if series_of(doc_type) != "documents"
        else Document.doc_type != CERTIFICATE
    )


def highest_number(session: Session, agency: str, year: int, doc_type: str) -> int:
    found = session.scalar(
        select(func.max(Document.number)).where(
            Document.issuing_agency == agency, Document.year == year, _series_filter(doc_type)
        )
    )
    return int(found or 0)


def register_document(
    session: Session,
    *,
    agency: str,
    year: int,
    doc_type: str,
    doc_key: str,
    data_sha256: str,
    title: str,
    issued_on: dt.date,
    round_id: int | None,
    fixed: DocumentNumber | None = None,
) -> Registered:
    """The number of one document: the existing one if its data is unchanged, else a new one
    (`fixed`: the number a person gave, e.g. the approver's decision number)."""
    latest = session.scalars(
        select(Document)
        .where(Document.issuing_agency == agency, Document.year == year, Document.doc_key == doc_key)
        .order_by(Document.id.desc())
        .limit(1)
    ).first()
    if (
        latest is not None
        and latest.data_sha256 == data_sha256
        and (fixed is None or fixed.symbol == latest.symbol)
    ):
        return Registered(latest.id, latest.number, latest.symbol, latest.issued_on or issued_on, True)
    if fixed is not None:
        holder = session.scalars(
            select(Document).where(
                Document.issuing_agency == agency, Document.year == year, Document.symbol == fixed.symbol
            )
        ).first()
        if holder is not None and holder.doc_key != doc_key:
            raise NumberTakenError(f"số {fixed.symbol} đã được dùng cho văn bản khác của {agency} năm {year}")
        if holder is not None:  # the same decision, its record brought up to date
            holder.data_sha256, holder.title = data_sha256, title
            return Registered(holder.id, holder.number, holder.symbol, holder.issued_on or issued_on, True)
        number = fixed
    else:
        n = highest_number(session, agency, year, doc_type) + 1
        number = DocumentNumber(n, symbol(n, doc_type))
    record = Document(
        round_id=round_id,
        issuing_agency=agency,
        doc_type=doc_type,
        year=year,
        number=number.number,
        symbol=number.symbol,
        title=title,
        path=PENDING,
        sha256=PENDING,
        data_sha256=data_sha256,
        doc_key=doc_key,
        issued_on=issued_on,
    )
    session.add(record)
    session.flush()
    return Registered(record.id, record.number, record.symbol, issued_on, False)


def record_file(session: Session, record_id: int, path: str, sha256: str) -> None:
    session.execute(update(Document).where(Document.id == record_id).values(path=path, sha256=sha256))


def register_certificates(
    session: Session,
    *,
    agency: str,
    year: int,
    keys: pd.DataFrame,
    title: str,
    issued_on: dt.date,
    round_id: int | None,
) -> pd.DataFrame:
    """Numbers of a commune's certificates in one go. `keys`: `doc_key`, `data_sha256` per household.

    Returns `doc_key`, `number`, `symbol`, `issued_on`, `reused` in the order of `keys`: unchanged
    households keep their certificate number, the others get the next numbers of the book."""
    existing = pd.DataFrame(
        session.execute(
            select(
                Document.id,
                Document.doc_key,
                Document.data_sha256,
                Document.number,
                Document.symbol,
                Document.issued_on,
            )
            .where(
                Document.issuing_agency == agency,
                Document.year == year,
                Document.doc_type == CERTIFICATE,
                Document.doc_key.in_(list(keys["doc_key"])),
            )
            .order_by(Document.id)
        ).all(),
        columns=["id", "doc_key", "old_sha256", "number", "symbol", "issued_on"],
    ).drop_duplicates("doc_key", keep="last")
    # A commune with no poor or near-poor household has no keys: an empty column has no text dtype.
    merged = keys.astype({"doc_key": object}).merge(
        existing.astype({"doc_key": object}), on="doc_key", how="left"
    )
    reused = (merged["old_sha256"] == merged["data_sha256"]).to_numpy(dtype=bool)
    fresh = ~reused
    start = highest_number(session, agency, year, CERTIFICATE)
    numbers = merged["number"].to_numpy(dtype="float64", na_value=np.nan)
    numbers[fresh] = start + np.arange(1, int(fresh.sum()) + 1)
    merged["number"] = numbers.astype(np.int64)
    merged["symbol"] = np.where(
        fresh, pd.Series(merged["number"]).map(lambda n: symbol(int(n), CERTIFICATE)), merged["symbol"]
    )
    merged["issued_on"] = np.where(fresh, issued_on, merged["issued_on"])
    merged["issued_on"] = merged["issued_on"].where(merged["issued_on"].notna(), issued_on)
    merged["reused"] = reused
    new_rows = merged.loc[fresh]
    if len(new_rows):
        table: Table = Document.__table__  # type: ignore[assignment]
        write_frame(
            session,
            table,
            pd.DataFrame(
                {
                    "round_id": round_id,
                    "issuing_agency": agency,
                    "doc_type": CERTIFICATE,
                    "year": year,
                    "number": new_rows["number"].to_numpy(),
                    "symbol": new_rows["symbol"].to_numpy(),
                    "title": title,
                    "path": PENDING,
                    "sha256": PENDING,
                    "data_sha256": new_rows["data_sha256"].to_numpy(),
                    "created_at": dt.datetime.now(dt.UTC),
                    "doc_key": new_rows["doc_key"].to_numpy(),
                    "issued_on": new_rows["issued_on"].to_numpy(),
                }
            ),
        )
    return merged[["doc_key", "number", "symbol", "issued_on", "reused"]]


def record_certificates_file(
    session: Session, agency: str, year: int, doc_keys: list[str], path: str, sha256: str
) -> None:
    """Every current certificate of the commune points at the commune's certificates PDF."""
    session.execute(
        update(Document)
        .where(
            Document.issuing_agency == agency,
            Document.year == year,
            Document.doc_type == CERTIFICATE,
            Document.doc_key.in_(doc_keys),
        )
        .values(path=path, sha256=sha256)
    )
