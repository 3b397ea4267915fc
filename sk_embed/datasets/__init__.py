"""Loaders for the datasets used in sk_embed's examples, tests and benchmarks."""

from ._imdb import IMDBCorruptDataError, IMDBDataNotFoundError, fetch_imdb

__all__ = ["fetch_imdb", "IMDBDataNotFoundError", "IMDBCorruptDataError"]
