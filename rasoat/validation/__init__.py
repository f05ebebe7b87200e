"""Validation of commune submissions: Great Expectations suites (expectations/) and their findings.

Importing this package does not import Great Expectations; the first validation does (≈ 5 s).
"""

from rasoat.validation.findings import CheckResult, Finding, Severity, ValidationReport, Verdict
from rasoat.validation.reading import unreadable_report
from rasoat.validation.validate import ValidationContext, validate_submission

__all__ = [
    "CheckResult",
    "Finding",
    "Severity",
    "ValidationContext",
    "ValidationReport",
    "Verdict",
    "unreadable_report",
    "validate_submission",
]
