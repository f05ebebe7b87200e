"""Per-commune counts of the classification (what `rasoat classify` and `rasoat demo` print).

The official R1 table, with persons and the district total row, is built by the consolidation stage;
this is the quick look a commune officer wants after classifying a file.
"""

from __future__ import annotations

import pandas as pd

from rasoat.schema import STATUS_ORDER


def status_summary(
    households: pd.DataFrame, classified: pd.DataFrame, by: str = "commune_code"
) -> pd.DataFrame:
    """One row per `by` value plus a total row: households, persons, count and rate of each status,
    and how many households the commune proposed in another class than the computed one."""
    frame = pd.DataFrame(
        {
            by: households[by].astype("object").fillna("?").to_numpy(),
            "members": households["members"].fillna(0).astype("int64").to_numpy(),
            "status": classified["status"].astype("object").to_numpy(),
            "disagrees": (
                households["reported_status"].notna()
                & (households["reported_status"].astype("object") != classified["status"].astype("object"))
            ).to_numpy(),
        }
    )
    counts = pd.crosstab(frame[by], frame["status"]).reindex(
        columns=[s.value for s in STATUS_ORDER], fill_value=0
    )
    table = pd.DataFrame(
        {
            "households": frame.groupby(by).size(),
            "persons": frame.groupby(by)["members"].sum(),
        }
    ).join(counts)
    table["disagrees"] = frame.groupby(by)["disagrees"].sum()
    table.loc["total"] = table.sum()
    for status in STATUS_ORDER:
        table[f"{status.value}_rate"] = (table[status.value] / table["households"] * 100).round(2)
    return table.rename_axis(by).reset_index()
