"""rasoat: the annual review of poor and near-poor households, as a pipeline."""

__version__ = "0.1.0"
