"""District and province consolidation: the official tables (R1–R11) and their invariant checks.

Pure functions on DataFrames, no Prefect and no database:

    inp = ConsolidationInput(unit, communes, year, households, members, departed)
    tables = consolidate(inp)                       # ConsolidatedTables; tables["r1"], …
    province = consolidate_province([t1, t2], Unit("45", "Tỉnh Quảng Trị", "province"))
    results = check_tables(tables, previous_rates)  # list[CheckResult] (Great Expectations)
    outcome = run_checks(tables, previous_rates)    # the same, with the failing rows in Vietnamese
"""

from rasoat.consolidation.checks import ConsolidationCheck, check_tables, checks_frame, run_checks
from rasoat.consolidation.inputs import (
    ConsolidationInput,
    ConsolidationInputError,
    Unit,
    ages_at_reference,
    as_units,
    departed_frame,
    household_frame,
)
from rasoat.consolidation.spec import HEADERS_VI, TABLE_KEYS, TABLES, TITLES_VI, headers_vi
from rasoat.consolidation.tables import (
    ConsolidatedTables,
    consolidate,
    consolidate_province,
    poor_rates,
    rate,
    roster_poor_rates,
)

__all__ = [
    "HEADERS_VI",
    "TABLES",
    "TABLE_KEYS",
    "TITLES_VI",
    "ConsolidatedTables",
    "ConsolidationCheck",
    "ConsolidationInput",
    "ConsolidationInputError",
    "Unit",
    "ages_at_reference",
    "as_units",
    "check_tables",
    "checks_frame",
    "consolidate",
    "consolidate_province",
    "departed_frame",
    "headers_vi",
    "household_frame",
    "poor_rates",
    "rate",
    "roster_poor_rates",
    "run_checks",
]
