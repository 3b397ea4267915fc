"""The scikit-learn common checks that sk_embed's estimators cannot pass.

scikit-learn lets an estimator's expected failures be declared only by the
caller of its checks (``check_estimator(..., expected_failed_checks=...)``,
``parametrize_with_checks(..., expected_failed_checks=...)``), so they are
public here, each with its reason, and sk_embed's own test suite uses them.
"""

_SAMPLE_WEIGHT_EQUIVALENCE = (
    "The check feeds uniform floats in [0, 1) without honouring the "
    "categorical tag, which fit rightly rejects as token ids. With integer "
    "ids it still cannot hold: mini-batch training sees repeated rows in "
    "other batches and other orders than one row with an integer weight, "
    "and Keras' RMSprop/Adam square the gradients of repeated ids separately."
)

#: The scikit-learn common checks that fail by design, by estimator class
#: name, each with its reason. Classes not listed (``PadTransformer``, the
#: tokenizers) pass every check that scikit-learn runs on them.
EXPECTED_FAILED_CHECKS = {
    "SequenceEmbeddingClassifier": {
        "check_class_weight_classifiers": (
            "The check fits on raw make_blobs features (negative, non-integer "
            "floats) and does not honour the categorical/positive_only input "
            "tags; token ids must be non-negative integers, so fit rightly "
            "raises."
        ),
        "check_sample_weight_equivalence_on_dense_data": _SAMPLE_WEIGHT_EQUIVALENCE,
    },
    "SequenceEmbeddingRegressor": {
        "check_sample_weight_equivalence_on_dense_data": _SAMPLE_WEIGHT_EQUIVALENCE,
    },
}


def expected_failed_checks(estimator):
    """The scikit-learn common checks that ``estimator`` fails by design.

    Pass the result to :func:`sklearn.utils.estimator_checks.check_estimator`,
    or the function itself to
    :func:`sklearn.utils.estimator_checks.parametrize_with_checks`, for a
    clean result: every other check passes.

    Parameters
    ----------
    estimator : estimator instance
        Any estimator. Those that fail checks by design are instances of the
        classes named in :data:`sk_embed.EXPECTED_FAILED_CHECKS` (or of
        their subclasses).

    Returns
    -------
    expected_failed_checks : dict
        Check name to the reason it fails, a new dict (empty when the
        estimator passes every check).

    Examples
    --------
    >>> from sklearn.utils.estimator_checks import check_estimator
    >>> from sk_embed import SequenceEmbeddingRegressor, expected_failed_checks
    >>> regressor = SequenceEmbeddingRegressor()
    >>> list(expected_failed_checks(regressor))
    ['check_sample_weight_equivalence_on_dense_data']
    >>> check_estimator(  # doctest: +SKIP
    ...     regressor, expected_failed_checks=expected_failed_checks(regressor)
    ... )
    """
    for cls in type(estimator).__mro__:  # a subclass inherits its base's
        if cls.__name__ in EXPECTED_FAILED_CHECKS:
            return dict(EXPECTED_FAILED_CHECKS[cls.__name__])
    return {}
