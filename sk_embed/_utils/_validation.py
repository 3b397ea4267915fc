"""Input checks shared by the estimators that consume integer token ids.

Token ids reach sk_embed in two shapes: ragged sequences (the output of a
tokenizer) and padded 2-D matrices (the output of :class:`PadTransformer`).
Both must be integral, finite and, for the embedding models, non-negative.
The helpers here turn every violation into a ``ValueError`` or ``TypeError``
that names the offending row and says how to fix it, so that no user ever
sees a TensorFlow stack trace for a data problem.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

_TEXT_HINT = (
    "tokenize and pad the text first, for example with "
    "make_pipeline(SequenceTokenizer(), PadTransformer(maxlen=200), {name}())"
)


def is_text(value):
    """Return True for a raw text document (``str`` or ``bytes``)."""
    return isinstance(value, (str, bytes))


def first_text_element(X):
    """Return the first raw text found in the first row of ``X``, or None.

    Looking at one row is enough to recognise the common mistake of feeding
    documents instead of token ids, without scanning large inputs.
    """
    if is_text(X):
        return X
    if sp.issparse(X) or not hasattr(X, "__len__") or len(X) == 0:
        return None
    first = X.iloc[0] if hasattr(X, "iloc") else X[0]
    if is_text(first):
        return first
    if hasattr(first, "__iter__") and not isinstance(first, dict):
        for item in first:
            return item if is_text(item) else None
    return None


def reject_text(X, estimator_name):
    """Raise a ``TypeError`` when ``X`` holds raw text instead of token ids."""
    if first_text_element(X) is not None:
        hint = _TEXT_HINT.format(name=estimator_name)
        raise TypeError(
            f"{estimator_name} expects integer token ids, but X contains raw "
            f"text; {hint}."
        )


def reject_sparse(X, estimator_name):
    """Raise a ``TypeError`` for sparse input, which has no sequence order."""
    if sp.issparse(X):
        raise TypeError(
            f"Sparse data was passed to {estimator_name}, but dense data is "
            "required: token-id sequences have an order that a sparse matrix "
            "does not keep. Use X.toarray() to convert a sparse matrix of ids, "
            "or pass the sequences themselves."
        )


def check_integral(values, where):
    """Raise ``ValueError`` unless every value is a finite integer.

    Parameters
    ----------
    values : ndarray
        Numeric values, any shape.
    where : callable
        Maps the flat index of the first bad value to a phrase locating it
        (for example ``"row 3"``), so messages name the row.
    """
    if values.dtype.kind in "biu":
        return
    if values.dtype.kind != "f":
        raise ValueError(
            f"Token ids must be integers, got dtype {values.dtype} ({where(0)})."
        )
    flat = values.ravel()
    not_finite = ~np.isfinite(flat)
    if not_finite.any():
        index = int(np.flatnonzero(not_finite)[0])
        raise ValueError(
            f"Input contains NaN or infinity at {where(index)} (value "
            f"{flat[index]}): token ids must be finite integers."
        )
    fractional = flat != np.floor(flat)
    if fractional.any():
        index = int(np.flatnonzero(fractional)[0])
        raise ValueError(
            f"Token ids must be integers, got the non-integer value "
            f"{flat[index]} at {where(index)}."
        )


def check_non_negative_ids(values, where, estimator_name):
    """Raise ``ValueError`` naming the first negative id and its location."""
    negative = values.ravel() < 0
    if negative.any():
        index = int(np.flatnonzero(negative)[0])
        raise ValueError(
            f"Negative values in data passed to {estimator_name}: token id "
            f"{values.ravel()[index]} at {where(index)}. Token ids must be >= 0 "
            "(0 is the padding id); check the tokenizer or the padding value."
        )


def validate_token_matrix(estimator, X, *, reset):
    """Validate a padded matrix of token ids and return it as an array.

    The matrix is checked through scikit-learn's ``validate_data`` (shape,
    finiteness, ``n_features_in_``), then for integral and non-negative values
    *before* any cast, so that ``-0.5`` or ``2.7`` are reported instead of
    being truncated silently. The result keeps the input's dtype and may be
    the input itself, never to be modified: :func:`model_ids` makes the ids
    the model reads.
    """
    name = type(estimator).__name__
    reject_sparse(X, name)
    reject_text(X, name)
    try:
        X = validate_data(
            estimator,
            X,
            reset=reset,
            accept_sparse=False,
            dtype="numeric",
            ensure_all_finite=True,
            ensure_min_samples=1,
            ensure_min_features=1,
        )
    except ValueError as error:
        if "inhomogeneous" in str(error) or "sequence" in str(error):
            raise ValueError(
                f"{name} expects a 2-D matrix of padded token ids, but the rows "
                "have different lengths; pad them first with "
                "PadTransformer(maxlen=...)."
            ) from error
        raise
    n_columns = X.shape[1]

    def where(index):
        return f"row {index // n_columns}, column {index % n_columns}"

    check_integral(X, where)
    check_non_negative_ids(X, where, name)
    return X


def model_ids(X, vocab_size):
    """Validated ids as ``int32``, those ``>= vocab_size`` set to it.

    Ids the model never saw share its out-of-vocabulary row,
    ``vocab_size``. ``X`` itself comes back when it is already that
    (``PadTransformer``'s output usually is): a copy of IMDB's padded
    matrix is 120 MB of fresh memory, 0.3 s here. Callers never modify
    the result. Otherwise the minimum is taken in ``X``'s own dtype and
    written straight into a new ``int32`` array: one pass, and no overflow
    for an id past the ``int32`` range.
    """
    if X.dtype == np.int32 and X.max(initial=0) <= vocab_size:
        return X
    ids = np.empty(X.shape, dtype=np.int32)
    np.minimum(X, vocab_size, out=ids, casting="unsafe")
    return ids
