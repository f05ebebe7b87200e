"""The charts' figures of a unit's consolidated tables, with last year's roster counted from the
approved history (the imported baseline or last year's approved round)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from rasoat.consolidation.chart_data import ChartData, chart_data, previous_counts_by_status
from rasoat.consolidation.partial import previous_chart_counts
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.db.history import status_counts
from rasoat.db.models import Consolidation
from rasoat.pipeline.commune_partials import kept_partials


def unit_chart(
    session: Session, tables: ConsolidatedTables, consolidations: Sequence[Consolidation] = ()
) -> ChartData:
    """Chart data of `tables`: this year from the tables; last year from the partials kept for the
    `consolidations`' communes when they hold every commune of the tables (a few numbers each,
    counted once by the worker that accepted the file), else counted by the database from the
    history of the tables' communes (a province's millions of rows: seconds, each time)."""
    r1 = tables["r1"]
    codes = sorted(r1.loc[r1["level"] == "commune", "code"].astype(str))
    partials = kept_partials(session, consolidations) if consolidations else None
    if partials is not None and set(codes) <= set(partials):
        return chart_data(tables, previous_chart_counts({c: partials[c] for c in codes}))
    counts = status_counts(session, codes, tables.year - 1, map_year=tables.year)
    return chart_data(tables, previous_counts_by_status(counts))
