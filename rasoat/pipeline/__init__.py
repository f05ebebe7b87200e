"""The stages of a review round as plain functions on a database session and files.

Prefect tasks (`tasks/`) wrap these; flows (`flows/`) compose the tasks. Nothing here imports Prefect.
"""
