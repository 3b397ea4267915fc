"""Padding and truncation of variable-length integer sequences."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._utils._persistence import VersionedPickleMixin
from .._utils._validation import check_integral, reject_sparse, reject_text


#: The longest rows ``maxlen="auto"`` makes: the width ``make_text_classifier``
#: was tuned with on IMDB's reviews, which cuts the 1.6% of them that have more
#: word, bigram and trigram ids. On short texts the longest training row is
#: far narrower (CR's sentences have at most 265 such ids, 48 on average), and
#: an encoder that reads every position pays for every padded one.
AUTO_MAXLEN = 1200


def _is_matrix(X):
    """Return True when ``X`` is a 2-D array or DataFrame.

    Lists of lists are always read as sequences, even when their rows happen
    to have equal lengths: only an object that declares two dimensions is a
    matrix whose width is part of the contract.
    """
    return getattr(X, "ndim", None) == 2


def _check_numeric_dtype(dtype):
    try:
        kind = np.dtype(dtype).kind
    except TypeError as error:
        raise ValueError(f"dtype={dtype!r} is not a NumPy dtype.") from error
    if kind not in "biuf":
        raise ValueError(
            f"dtype={dtype!r} is not numeric; padded token ids need an integer "
            "or float dtype such as 'int32'."
        )


def _row_as_array(row, index):
    if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
        raise ValueError(
            f"Row {index} is not a sequence of token ids (got "
            f"{type(row).__name__}); each sample must be a list or array of "
            "integers. Reshape your data: a single sequence s is passed as [s]."
        )
    values = np.asarray(row)
    if values.dtype == object:
        # Python ints held in an object array: let NumPy find their type.
        values = np.asarray(values.tolist())
    if values.ndim != 1 and values.size:
        raise ValueError(
            f"Row {index} has shape {values.shape}; each sample must be a "
            "1-D sequence of integers."
        )
    if values.size and values.dtype.kind not in "biuf":
        raise ValueError(
            f"Row {index} contains non-numeric values (dtype {values.dtype}); "
            "each sample must be a sequence of integer token ids."
        )
    return values.reshape(-1)


def _sequences_to_flat(X):
    """Return the concatenated values of ragged rows and each row's length."""
    rows = [_row_as_array(row, index) for index, row in enumerate(X)]
    lengths = np.fromiter((row.size for row in rows), dtype=np.int64, count=len(rows))
    non_empty = [row for row in rows if row.size]
    flat = np.concatenate(non_empty) if non_empty else np.zeros(0, dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths)))

    def where(index):
        return f"row {int(np.searchsorted(offsets, index, side='right')) - 1}"

    check_integral(flat, where)
    return flat, lengths


def _pad_flat(flat, lengths, maxlen, *, padding, truncating, value, dtype):
    """Pad and truncate ragged rows given as one flat array, without a loop.

    Follows ``keras.utils.pad_sequences`` exactly: ``truncating`` says which
    end of a long row is dropped, ``padding`` which side of a short row is
    filled with ``value``.
    """
    n_rows = lengths.size
    out = np.full((n_rows, maxlen), value, dtype=dtype)
    kept = np.minimum(lengths, maxlen)
    row_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    skipped = lengths - kept if truncating == "pre" else np.zeros_like(kept)
    first_column = maxlen - kept if padding == "pre" else np.zeros_like(kept)

    rows = np.repeat(np.arange(n_rows), kept)
    position = np.arange(kept.sum()) - np.repeat(np.cumsum(kept) - kept, kept)
    source = np.repeat(row_starts + skipped, kept) + position
    out[rows, np.repeat(first_column, kept) + position] = flat[source]
    return out


class PadTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, VersionedPickleMixin, BaseEstimator
):
    """Pad and truncate integer sequences to a common length.

    The scikit-learn counterpart of ``keras.utils.pad_sequences``: it turns a
    ragged collection of token-id sequences into the ``(n_samples, maxlen)``
    matrix that an embedding model consumes, with exactly the output Keras
    gives for the same parameters.

    Parameters
    ----------
    maxlen : int, "auto" or None, default=None
        Length of the output rows. If None, the length of the longest
        training sequence is learned in :meth:`fit` and stored as
        ``maxlen_``; "auto" learns the same, but at most 1,200, so that the
        rows follow the data on short texts and a few very long training
        texts do not widen every row.
    padding : {"pre", "post"}, default="pre"
        Where short sequences are filled with ``value``: before ("pre") or
        after ("post") the tokens.
    truncating : {"pre", "post"}, default="pre"
        Which end of a long sequence is dropped: the beginning ("pre",
        keeping the last ``maxlen`` tokens) or the end ("post").
    value : int or float, default=0
        The padding value. sk_embed reserves token id 0 for padding.
    dtype : str or numpy dtype, default="int32"
        The dtype of the output matrix.

    Attributes
    ----------
    maxlen_ : int
        The length of the output rows: ``maxlen``, or the longest training
        sequence when ``maxlen`` is None (at most 1,200 when "auto").
    n_features_in_ : int
        The width of the training matrix. Only set when :meth:`fit` received a
        2-D array; see Notes.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of the training DataFrame, when it had string column
        names.

    See Also
    --------
    SequenceTokenizer : Turns raw text into the sequences this pads.
    SequenceEmbeddingClassifier : Classifies the padded matrices.

    Notes
    -----
    Any collection of sequences (lists, tuples, 1-D arrays, an object array,
    a pandas Series of lists) is accepted at fit and transform, whatever the
    row lengths. A 2-D array (or DataFrame) is different: its width is a
    number of features, as everywhere in scikit-learn. When :meth:`fit` gets
    a 2-D array it records ``n_features_in_``, and :meth:`transform` then
    rejects a 2-D array of another width with a ``ValueError`` (ragged
    sequences are still accepted). Fit on sequences to keep the transformer
    free of any width.

    Empty sequences become rows of ``value``. Elements that are not finite
    integers (NaN, 2.5, strings) raise a ``ValueError`` naming the row.

    As scikit-learn's transformers do, :meth:`transform` returns a pandas or
    polars DataFrame (columns ``get_feature_names_out()``, dtype ``dtype``)
    under ``set_config(transform_output="pandas")`` or ``"polars"``, or after
    ``set_output(transform=...)``, which overrides the global setting.

    Examples
    --------
    >>> from sk_embed import PadTransformer
    >>> sequences = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10]]
    >>> PadTransformer(maxlen=4).fit_transform(sequences)
    array([[ 0,  1,  2,  3],
           [ 0,  0,  4,  5],
           [ 0,  0,  0,  0],
           [ 7,  8,  9, 10]], dtype=int32)
    >>> pad = PadTransformer(padding="post", truncating="post").fit(sequences)
    >>> pad.maxlen_
    5
    >>> pad.transform([[1, 2, 3, 4, 5, 6, 7]])
    array([[1, 2, 3, 4, 5]], dtype=int32)
    >>> PadTransformer(maxlen="auto").fit([[1] * 5000, [2, 3]]).maxlen_
    1200
    """

    _parameter_constraints = {
        "maxlen": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "padding": [StrOptions({"pre", "post"})],
        "truncating": [StrOptions({"pre", "post"})],
        "value": [Interval(Real, None, None, closed="neither")],
        "dtype": [str, type, np.dtype],
    }

    def __init__(self, maxlen=None, *, padding="pre", truncating="pre", value=0, dtype="int32"):
        self.maxlen = maxlen
        self.padding = padding
        self.truncating = truncating
        self.value = value
        self.dtype = dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the output length (when ``maxlen`` is None or "auto").

        Parameters
        ----------
        X : sequence of int sequences, or array-like of shape (n_samples, n_features)
            Token-id sequences of any lengths, or a 2-D matrix.
        y : None
            Ignored.

        Returns
        -------
        self : PadTransformer
            The fitted transformer.
        """
        _check_numeric_dtype(self.dtype)
        flat, lengths = self._validate_input(X, reset=True)
        if isinstance(self.maxlen, Integral):
            self.maxlen_ = self.maxlen
            return self
        if lengths.max() == 0:
            raise ValueError(
                "Cannot learn maxlen: every training sequence is empty. Pass "
                "PadTransformer(maxlen=...) explicitly."
            )
        longest = int(lengths.max())
        self.maxlen_ = min(longest, AUTO_MAXLEN) if self.maxlen == "auto" else longest
        return self

    def transform(self, X):
        """Pad and truncate every sequence to ``maxlen_``.

        Parameters
        ----------
        X : sequence of int sequences, or array-like of shape (n_samples, n_features)
            Token-id sequences of any lengths, or a 2-D matrix of the width
            seen in :meth:`fit`.

        Returns
        -------
        X_padded : {ndarray, DataFrame} of shape (n_samples, `maxlen_`)
            The padded matrix, of dtype ``dtype``: a NumPy array, or a
            pandas or polars DataFrame if so configured (see
            ``set_output``).
        """
        check_is_fitted(self)
        flat, lengths = self._validate_input(X, reset=False)
        return _pad_flat(
            flat,
            lengths,
            self.maxlen_,
            padding=self.padding,
            truncating=self.truncating,
            value=self.value,
            dtype=self.dtype,
        )

    def _validate_input(self, X, *, reset):
        """Return the flat values and row lengths of ``X``.

        A 2-D matrix goes through scikit-learn's ``validate_data`` so that its
        width and column names are recorded (``reset=True``) or checked;
        ragged sequences are checked row by row.
        """
        name = type(self).__name__
        reject_sparse(X, name)
        reject_text(X, name)
        if _is_matrix(X):
            matrix = validate_data(
                self, X, reset=reset, dtype="numeric", ensure_all_finite=False
            )
            width = matrix.shape[1]
            check_integral(matrix, lambda index: f"row {index // width}")
            lengths = np.full(matrix.shape[0], width, dtype=np.int64)
            return matrix.ravel(), lengths
        if reset:
            # A fit on sequences frees the transformer from any earlier width.
            for attribute in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(attribute, None)
        if hasattr(X, "__array__") and not hasattr(X, "__len__"):
            X = np.asarray(X)
        elif not hasattr(X, "__len__"):
            X = list(X)
        if getattr(X, "ndim", None) == 1 and X.dtype != object:
            raise ValueError(
                f"Expected a collection of sequences, got a 1-D array of "
                f"{X.dtype} values. Reshape your data: a single sequence s is "
                "passed as [s], a matrix of ids as a 2-D array."
            )
        if len(X) == 0:
            raise ValueError(
                f"Found 0 sequences: {name} needs at least one sample."
            )
        return _sequences_to_flat(X)

    @property
    def _n_features_out(self):
        return self.maxlen_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Integer codes, like CategoricalNB: the common checks then feed
        # rounded ids instead of arbitrary floats.
        tags.input_tags.categorical = True
        tags.input_tags.sparse = False
        # The output dtype is the ``dtype`` parameter, whatever comes in.
        tags.transformer_tags.preserves_dtype = []
        return tags
