"""A parsed sheet's text cells moved out of the memory the workbook's reading left behind.

calamine makes one Python object per cell, numbers, dates and text alike, one after the other; the
frames keep only the text, scattered through memory that the other cells' objects filled. Python
returns its small-object memory to the system only where every object of a block is gone, so a
commune's parse kept about three times the memory its text needs for as long as its frames lived
(measured on a 71,000-household workbook: 270 MB held for 89 MB of objects), and a round's worker
carried it from commune to commune. Each text column is rebuilt from fresh objects, one per distinct
value (a village's name, a relation, a repeated household id are one object each), after which the
workbook's cell objects can all be freed together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _fresh(value: str) -> str:
    # A new object with the same text (str(), slicing and concatenation return the same object).
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def compact_text(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame`, its pandas-string columns replaced in place by the same values made of fresh
    objects, one per distinct value; dtypes, index and other columns unchanged."""
    for name in frame.columns:
        column = frame[name]
        if not isinstance(column.dtype, pd.StringDtype) or column.dtype.storage != "python":
            continue
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        lookup = np.empty(len(uniques) + 1, dtype=object)
        lookup[: len(uniques)] = [_fresh(v) for v in uniques]
        lookup[-1] = pd.NA  # where code -1 (missing) lands
        frame[name] = pd.Series(lookup[codes], index=frame.index, dtype=column.dtype)
    return frame
