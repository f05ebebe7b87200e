"""Reading commune submissions into the canonical schema."""

from rasoat.intake.problems import Problem, SubmissionError
from rasoat.intake.read import ParsedSubmission, SkippedRow, read_submission, read_submission_path

__all__ = [
    "ParsedSubmission",
    "Problem",
    "SkippedRow",
    "SubmissionError",
    "read_submission",
    "read_submission_path",
]
