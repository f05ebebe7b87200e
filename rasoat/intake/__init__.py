"""Reading commune submissions into the canonical schema."""

from rasoat.intake.problems import Problem, SubmissionError
from rasoat.intake.read import ParsedSubmission, read_submission, read_submission_path

__all__ = ["ParsedSubmission", "Problem", "SubmissionError", "read_submission", "read_submission_path"]
