"""Validation of commune submissions: Great Expectations suites (expectations/) and their findings."""

from rasoat.validation.findings import CheckResult, Finding, Severity, ValidationReport, Verdict

__all__ = ["CheckResult", "Finding", "Severity", "ValidationReport", "Verdict"]
