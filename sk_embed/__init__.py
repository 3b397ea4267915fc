"""Keras word-embedding text models as first-class scikit-learn estimators."""

from ._classifier import SequenceEmbeddingClassifier
from ._padding import PadTransformer
from ._plotting import plot_history
from ._regressor import SequenceEmbeddingRegressor
from ._text_classifier import make_text_classifier
from ._tokenizer import SequenceTokenizer
from ._word_vectors import load_word_vectors

__version__ = "0.1.0"

__all__ = [
    "PadTransformer",
    "SequenceEmbeddingClassifier",
    "SequenceEmbeddingRegressor",
    "SequenceTokenizer",
    "load_word_vectors",
    "make_text_classifier",
    "plot_history",
    "__version__",
]
