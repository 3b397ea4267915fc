"""Keras word-embedding text models as first-class scikit-learn estimators."""

from ._classifier import SequenceEmbeddingClassifier
from ._padding import PadTransformer
from ._tokenizer import SequenceTokenizer

__version__ = "0.1.0"

__all__ = [
    "PadTransformer",
    "SequenceEmbeddingClassifier",
    "SequenceTokenizer",
    "__version__",
]
