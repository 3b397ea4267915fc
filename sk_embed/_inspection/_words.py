"""Look inside a fitted text pipeline: its words and their learned vectors.

A fitted pipeline such as :func:`~sk_embed.make_text_classifier` keeps the
two halves of a word embedding in two steps: the
:class:`~sk_embed.SequenceTokenizer` maps each word to an id, and the Keras
model of the last step holds the embedding table whose row ``i`` is the
vector of id ``i``. :func:`word_table` joins them into one table of words and
vectors, which :func:`most_similar`, :func:`~sk_embed.plot_embeddings` and
:func:`~sk_embed.save_word_vectors` all read.
"""

from numbers import Integral

import keras
import numpy as np
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from .._base import BaseSequenceEmbedding
from .._utils._docstrings import fill_doc
from ..text._tokenizer import SequenceTokenizer

__all__ = ["most_similar"]

#: Name of the embedding layer in the networks of sk_embed._keras._networks.
EMBEDDING_LAYER = "embedding"

_EXPECTED = (
    "a fitted Pipeline holding a SequenceTokenizer and a "
    "SequenceEmbeddingClassifier or SequenceEmbeddingRegressor (such as "
    "make_text_classifier())"
)


class WordTable:
    """The words of a fitted pipeline and their vectors, by increasing id.

    Only words get a place: with ``ngram_range`` above 1 the tokenizer's
    entries holding a space are n-grams and are left out, as are the words
    whose id is at least the model's ``vocab_size_`` (they share the
    out-of-vocabulary row). Ids rank words by decreasing frequency, so the
    first words are the most frequent.

    Attributes
    ----------
    words : list of str
        The words, most frequent first.
    vectors : ndarray of shape (n_words, embedding_dim), dtype float32
        Row ``i`` is the vector of ``words[i]``.
    """

    def __init__(self, words, ids, vectors, tokenizer, vocab_size):
        self.words = words
        self.vectors = vectors
        self._ids = ids
        self._tokenizer = tokenizer
        self._vocab_size = vocab_size

    def __len__(self):
        return len(self.words)

    def index(self, word):
        """Return the row of ``word``; a ``KeyError`` says why it has none."""
        if not isinstance(word, str):
            raise TypeError(f"A word must be a str, got {type(word).__name__}.")
        id_ = self._tokenizer.vocabulary_.get(word)
        if id_ is not None:
            row = int(np.searchsorted(self._ids, id_))
            if row < len(self._ids) and self._ids[row] == id_:
                return row
        raise KeyError(self._missing_reason(word, id_))

    def head(self, n_words):
        """Rows of the ``n_words`` most frequent words (all if None)."""
        return np.arange(len(self) if n_words is None else min(n_words, len(self)))

    def _missing_reason(self, word, id_):
        if id_ is None:
            hint = ""
            tokenizer = self._tokenizer
            lowercases = tokenizer.lowercase and tokenizer.preprocessor is None
            if lowercases and word.lower() in tokenizer.vocabulary_:
                hint = f" The tokenizer lowercases texts: try {word.lower()!r}."
            return f"Word {word!r} is not in the vocabulary.{hint}"
        if id_ >= self._vocab_size:
            return (
                f"Word {word!r} has id {id_}, but the model has rows for ids "
                f"below vocab_size_={self._vocab_size} only: it shares the "
                "out-of-vocabulary vector."
            )
        return (
            f"{word!r} is an n-gram of the vocabulary, not a word: only words "
            "have their own vectors here."
        )


def word_table(model, caller):
    """Return the :class:`WordTable` of a fitted pipeline.

    ``caller`` names the public function in error messages.
    """
    tokenizer, estimator = _find_steps(model, caller)
    message = (
        f"This {type(model).__name__} is not fitted yet: call 'fit' before "
        f"{caller}."
    )
    check_is_fitted(tokenizer, "vocabulary_", msg=message)
    check_is_fitted(estimator, "model_", msg=message)
    table = _embedding_table(estimator.model_)
    vocab_size = estimator.vocab_size_
    words, ids = _words_and_ids(tokenizer, vocab_size)
    if not words:
        raise ValueError(
            f"No vocabulary word has an id below the model's vocab_size_="
            f"{vocab_size}: there is no word vector to inspect."
        )
    vectors = table[ids]
    return WordTable(words, ids, vectors, tokenizer, vocab_size)


def _find_steps(model, caller):
    """Return the fitted-or-not tokenizer and embedding estimator of ``model``."""
    steps = getattr(model, "steps", None)
    if not isinstance(steps, list):
        hint = ""
        if hasattr(model, "best_estimator_"):
            hint = " For a fitted search, pass its best_estimator_."
        elif isinstance(model, (BaseSequenceEmbedding, SequenceTokenizer)):
            hint = (
                " Pass the whole pipeline: the tokenizer holds the words, the "
                "model their vectors."
            )
        raise TypeError(
            f"{caller} expects {_EXPECTED}; got {type(model).__name__}.{hint}"
        )
    tokenizers = [step for _, step in steps if isinstance(step, SequenceTokenizer)]
    estimators = [
        step for _, step in steps if isinstance(step, BaseSequenceEmbedding)
    ]
    if not tokenizers or not estimators:
        missing = "SequenceTokenizer" if not tokenizers else "embedding estimator"
        raise TypeError(
            f"{caller} expects {_EXPECTED}; this pipeline has no {missing}."
        )
    return tokenizers[0], estimators[-1]


def _embedding_table(keras_model):
    """The weights of the layer named "embedding", as a NumPy array."""
    try:
        layer = keras_model.get_layer(EMBEDDING_LAYER)
    except ValueError:
        layer = None
    weights = getattr(layer, "embeddings", None)
    if weights is None:
        raise ValueError(
            f"The Keras model {keras_model.name!r} has no layer named "
            f"{EMBEDDING_LAYER!r} with an 'embeddings' weight: there is no "
            "word embedding to read."
        )
    return keras.ops.convert_to_numpy(weights)


def _words_and_ids(tokenizer, vocab_size):
    """The tokenizer's words with an embedding row of their own, by id."""
    min_n, max_n = tokenizer._check_ngram_range()
    if min_n > 1:
        raise ValueError(
            f"The tokenizer holds only n-grams (ngram_range={tokenizer.ngram_range}"
            "): word vectors need words; use ngram_range=(1, n)."
        )
    has_ngrams = max_n > 1
    pairs = sorted(
        (id_, word)
        for word, id_ in tokenizer.vocabulary_.items()
        if id_ < vocab_size and not (has_ngrams and " " in word)
    )
    ids = np.fromiter((id_ for id_, _ in pairs), dtype=np.int64, count=len(pairs))
    return [word for _, word in pairs], ids


def _unit_rows(vectors):
    """Rows scaled to length 1, and which rows were all zeros (no direction)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    zero = norms == 0
    return vectors / np.where(zero, 1.0, norms)[:, None], zero


@fill_doc
@validate_params(
    {
        "model": "no_validation",
        "word": [str],
        "topn": [Interval(Integral, 1, None, closed="left")],
        "restrict_vocab": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def most_similar(model, word, topn=10, *, restrict_vocab=None):
    """Find the words whose learned vectors are nearest to a word's.

    Ranks the words of a fitted pipeline's vocabulary by the cosine
    similarity of their embedding vectors to the vector of ``word``, as
    gensim's ``KeyedVectors.most_similar`` does.

    Parameters
    ----------
    %(inspected_pipeline)s

    word : str
        The word whose neighbours to find, as the tokenizer stores it
        (lowercase by default).

    topn : int, default=10
        Number of neighbours to return; fewer if the vocabulary has fewer
        other words.

    restrict_vocab : int, default=None
        Search only the ``restrict_vocab`` most frequent words, as gensim's
        parameter of that name does; ``word`` itself may be any word. None
        searches every word. Rare words have vectors trained on few texts,
        and often crowd the neighbours of a word that way.

    Returns
    -------
    neighbours : list of tuple of (str, float)
        The ``topn`` nearest words and their cosine similarity to ``word``,
        most similar first; words equally similar come most frequent first.

    Raises
    ------
    KeyError
        If ``word`` has no vector of its own: it is not in the vocabulary,
        it is an n-gram, or its id is beyond the model's ``vocab_size_``.
    %(inspected_pipeline_errors)s
    ValueError
        If the vector of ``word`` is all zeros, which has no direction.

    See Also
    --------
    plot_embeddings : Draw the word vectors in two dimensions.
    save_word_vectors : Write the word vectors to a file.

    Notes
    -----
    Only words are candidates: the padding and out-of-vocabulary ids never
    are, nor the n-grams of a tokenizer with ``ngram_range`` above 1 (its
    entries holding a space), nor words whose vectors are all zeros (such as
    frozen pretrained rows loaded with ``missing="zeros"``).

    A classifier's embedding learns what separates the classes: with a
    sentiment target, the neighbours of "great" are words that make a
    review positive, whether or not they mean the same thing.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sk_embed import (PadTransformer, SequenceEmbeddingClassifier,
    ...                       SequenceTokenizer, most_similar)
    >>> texts = ["a great film", "a superb cast", "an awful film",
    ...          "a dull plot"] * 10
    >>> labels = [1, 1, 0, 0] * 10
    >>> pipe = make_pipeline(
    ...     SequenceTokenizer(), PadTransformer(maxlen=3),
    ...     SequenceEmbeddingClassifier(epochs=1, random_state=0),
    ... ).fit(texts, labels)
    >>> neighbours = most_similar(pipe, "great", topn=3)
    >>> len(neighbours)
    3
    >>> word, similarity = neighbours[0]
    >>> word in pipe[0].vocabulary_ and -1.0 <= similarity <= 1.0
    True
    >>> most_similar(pipe, "Great")
    Traceback (most recent call last):
    ...
    KeyError: "Word 'Great' is not in the vocabulary. The tokenizer lowercases
    texts: try 'great'."
    """
    table = word_table(model, "most_similar")
    row = table.index(word)
    units, zero = _unit_rows(table.vectors)
    if zero[row]:
        raise ValueError(
            f"The vector of {word!r} is all zeros: it has no direction, so no "
            "cosine similarity."
        )
    similarities = units @ units[row]
    candidates = np.flatnonzero(~zero[:restrict_vocab])
    candidates = candidates[candidates != row]
    # A stable sort on rows in id order: ties go to the more frequent word.
    order = np.argsort(-similarities[candidates], kind="stable")[:topn]
    return [
        (table.words[index], float(similarities[index]))
        for index in candidates[order]
    ]
