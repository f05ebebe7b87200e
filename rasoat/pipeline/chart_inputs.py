"""The charts' figures of a unit's consolidated tables, with last year's roster counted from the
approved history (the imported baseline or last year's approved round)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rasoat.consolidation.chart_data import ChartData, chart_data, previous_counts_by_status
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.db.history import status_counts


def unit_chart(session: Session, tables: ConsolidatedTables) -> ChartData:
    """Chart data of `tables`: this year from the tables, last year counted by the database from the
    history of its communes."""
    r1 = tables["r1"]
    codes = sorted(r1.loc[r1["level"] == "commune", "code"].astype(str))
    counts = status_counts(session, codes, tables.year - 1, map_year=tables.year)
    return chart_data(tables, previous_counts_by_status(counts))
