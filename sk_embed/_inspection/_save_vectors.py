"""Write the word vectors a fitted pipeline has learned.

:func:`save_word_vectors` writes them in the formats that
:func:`~sk_embed.load_word_vectors`, gensim and TensorBoard's Embedding
Projector read: GloVe or word2vec text, or the Projector's two TSV files.
"""

import itertools
import os
from numbers import Integral
from pathlib import Path

from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._utils._docstrings import fill_doc
from ._words import word_table

#: File names of the Embedding Projector export, in its folder.
PROJECTOR_VECTORS = "vectors.tsv"
PROJECTOR_METADATA = "metadata.tsv"
#: Significant digits that write any float32 exactly (it reads back equal).
_FLOAT32_DIGITS = 9


@fill_doc
@validate_params(
    {
        "model": "no_validation",
        "path": [str, os.PathLike],
        "format": [StrOptions({"glove", "word2vec", "projector"})],
        "n_words": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def save_word_vectors(model, path, *, format="glove", n_words=None):
    """Write the word vectors a fitted pipeline has learned.

    Writes one vector per vocabulary word, most frequent word first, as a
    text file that :func:`load_word_vectors` (or gensim) reads back, or as
    the two files that TensorBoard's Embedding Projector loads.

    Parameters
    ----------
    %(inspected_pipeline)s

    path : str or path-like
        The file to write for "glove" and "word2vec"; for "projector", the
        folder to write into, created if missing. Existing files are
        overwritten.

    format : {"glove", "word2vec", "projector"}, default="glove"
        - "glove": one line per word, the word then its values, separated
          by spaces, as in the GloVe downloads.
        - "word2vec": the same lines after a ``<n_words> <dim>`` header line,
          word2vec's text format (gensim's
          ``KeyedVectors.load_word2vec_format(path, binary=False)``).
        - "projector": ``vectors.tsv`` (one word's values per line,
          separated by tabs) and ``metadata.tsv`` (the words, one per line,
          no header) in the folder ``path``: the files TensorBoard's
          Embedding Projector and https://projector.tensorflow.org load.

    n_words : int, default=None
        Write only the ``n_words`` most frequent words; None writes all.

    Returns
    -------
    paths : list of pathlib.Path
        The files written: ``[path]``, or the vectors and metadata files.

    Raises
    ------
    %(inspected_pipeline_errors)s
    ValueError
        If a word is empty or holds whitespace, which these formats use as
        separators (only a custom ``token_pattern`` makes such words).

    See Also
    --------
    load_word_vectors : Read the file back as an embedding matrix.
    most_similar : The nearest words of a word.

    Notes
    -----
    Only words are written: not the padding and out-of-vocabulary rows, nor
    the n-grams of a tokenizer with ``ngram_range`` above 1, nor the words
    whose id is beyond the model's ``vocab_size_`` (they share the
    out-of-vocabulary vector). Values are written with 9 significant digits,
    which read back as the same float32 numbers. Files are UTF-8.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.pipeline import make_pipeline
    >>> from sk_embed import (PadTransformer, SequenceEmbeddingClassifier,
    ...                       SequenceTokenizer, load_word_vectors,
    ...                       save_word_vectors)
    >>> texts = ["a great film", "a superb cast", "an awful film",
    ...          "a dull plot"] * 10
    >>> labels = [1, 1, 0, 0] * 10
    >>> pipe = make_pipeline(
    ...     SequenceTokenizer(), PadTransformer(maxlen=3),
    ...     SequenceEmbeddingClassifier(embedding_dim=4, epochs=1,
    ...                                 random_state=0),
    ... ).fit(texts, labels)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path] = save_word_vectors(pipe, os.path.join(folder, "glove.txt"))
    ...     with open(path, encoding="utf-8") as file:
    ...         first_line = file.readline().split()
    ...     loaded = load_word_vectors(path, pipe[0])
    ...     paths = save_word_vectors(pipe, folder, format="projector")
    ...     with open(paths[1], encoding="utf-8") as file:
    ...         metadata = file.read().split()
    >>> first_line[0], len(first_line[1:])
    ('a', 4)
    >>> loaded.n_covered == len(pipe[0].vocabulary_)
    True
    >>> [path.name for path in paths]
    ['vectors.tsv', 'metadata.tsv']
    >>> metadata[:3]
    ['a', 'film', 'great']
    """
    table = word_table(model, "save_word_vectors")
    rows = table.head(n_words)
    words = [table.words[row] for row in rows]
    vectors = table.vectors[rows]
    _check_writable_words(words)
    path = Path(path)
    if format == "projector":
        path.mkdir(parents=True, exist_ok=True)
        vectors_path = path / PROJECTOR_VECTORS
        metadata_path = path / PROJECTOR_METADATA
        _write_lines(vectors_path, _value_lines(vectors, "\t"))
        _write_lines(metadata_path, (f"{word}\n" for word in words))
        return [vectors_path, metadata_path]
    lines = _value_lines(vectors, " ", words)
    if format == "word2vec":
        lines = itertools.chain([f"{len(words)} {vectors.shape[1]}\n"], lines)
    _write_lines(path, lines)
    return [path]


def _check_writable_words(words):
    """Refuse words that would not read back as one field."""
    for word in words:
        if word.split() != [word]:
            raise ValueError(
                f"Cannot write the word {word!r:.60}: an empty word or one "
                "holding whitespace would not read back as one word. Use a "
                "token_pattern whose tokens hold no whitespace."
            )


def _value_lines(vectors, separator, words=None):
    """Yield one text line per vector, each led by its word if given."""
    value = f"%.{_FLOAT32_DIGITS}g"
    line = separator.join([value] * vectors.shape[1]) + "\n"
    if words is None:
        for values in vectors.tolist():
            yield line % tuple(values)
    else:
        line = "%s" + separator + line
        for word, values in zip(words, vectors.tolist()):
            yield line % (word, *values)


def _write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.writelines(lines)
