"""The ages the deprivation indicators speak of, and the day on which a member's age is taken.

One place for the validation rules, the consolidated tables and the sample-data generator.
"""

from __future__ import annotations

import datetime as dt

REFERENCE_DAY = (9, 1)  # 1 September: the periodic review window opens (QĐ 24/2021 Art. 3)
CHILD_AGE = 16  # indicators 2 and 3: children under 16
SCHOOL_AGES = (3, 15)  # indicator 6: children aged 3 to under 16, in whole years, both ends included
INSURANCE_AGE = 6  # indicator 4: members aged 6 or older
ELDER_AGE = 60  # indicator 2: older dependents


def reference_date(year: int) -> dt.date:
    """Ages are taken at the start of the periodic review window (1 September)."""
    return dt.date(year, *REFERENCE_DAY)
