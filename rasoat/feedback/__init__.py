"""Feedback to a commune on one submitted file: an HTML page and an XLSX workbook, in Vietnamese.

`write_feedback(report, ...)` writes `phan-hoi-<commune>-v<version>.html` and `.xlsx` listing every
finding (blocking first, then warnings) with sheet, row, column, household id, the value found, the
value expected and what is wrong, so a commune official can fix the original Excel file and send it
again as version v+1. Values of personal columns arrive masked from the validator; nothing here adds
names. Both files are written to temporary files beside the targets and renamed into place.
"""

from rasoat.feedback.writer import FeedbackFiles, feedback_paths, write_feedback

__all__ = ["FeedbackFiles", "feedback_paths", "write_feedback"]
