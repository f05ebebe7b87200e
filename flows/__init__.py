"""Prefect flows: each composes tasks from `tasks/` and holds no domain rule of its own.

Stages, in the order the review runs: commune intake → validation → district consolidation →
province approval → documents. The domain core they call lives in the `rasoat` package.
"""
