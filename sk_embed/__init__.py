"""Keras word-embedding text models as first-class scikit-learn estimators."""

# Before anything imports Keras: TensorFlow's start-up lines are dropped
# below TF_CPP_MIN_LOG_LEVEL (see _keras/_startup.py for why this takes more
# than the variable).
from ._keras._startup import import_tensorflow_quietly

import_tensorflow_quietly()

# isort: split
from ._classifier import SequenceEmbeddingClassifier
from ._estimator_checks import EXPECTED_FAILED_CHECKS, expected_failed_checks
from ._inspection import (
    load_word_vectors,
    most_similar,
    plot_embeddings,
    plot_history,
    save_word_vectors,
)
from ._regressor import SequenceEmbeddingRegressor
from ._text_classifier import make_text_classifier
from ._utils._persistence import InconsistentVersionWarning
from ._utils._version import __version__
from .text import HashingSequenceTokenizer, PadTransformer, SequenceTokenizer

__all__ = [
    "EXPECTED_FAILED_CHECKS",
    "HashingSequenceTokenizer",
    "InconsistentVersionWarning",
    "PadTransformer",
    "SequenceEmbeddingClassifier",
    "SequenceEmbeddingRegressor",
    "SequenceTokenizer",
    "expected_failed_checks",
    "load_word_vectors",
    "make_text_classifier",
    "most_similar",
    "plot_embeddings",
    "plot_history",
    "save_word_vectors",
    "__version__",
]
