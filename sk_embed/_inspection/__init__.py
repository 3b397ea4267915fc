"""Looking inside fitted models: training curves, nearest words, word maps and
word-vector files (read to initialise an embedding, written to inspect one).

Sits above the estimators: it reads their fitted networks and tokenizers.
"""

from ._history import plot_history
from ._load_vectors import load_word_vectors
from ._save_vectors import save_word_vectors
from ._word_map import plot_embeddings
from ._words import most_similar

__all__ = [
    "load_word_vectors",
    "most_similar",
    "plot_embeddings",
    "plot_history",
    "save_word_vectors",
]
