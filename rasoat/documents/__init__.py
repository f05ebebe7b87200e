"""Official documents of the review (Decree 30/2020 format): what each level issues, as plain data.

Context building (which households are on which list, the counts, the posting period, the number
decisions) is pure functions on DataFrames and dataclasses; `render` turns a context into HTML and
PDF with the Jinja2 templates in `templates/documents/`; `xlsx` writes the lists officials edit.
The database side (number register, reading names for certificates) lives in `rasoat.db`.
"""
