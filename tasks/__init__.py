"""Prefect tasks: thin wrappers around the pure functions of the `rasoat` package (classification,
movements, aggregation, document context), adding retries, caching and artifacts."""
