"""scikit-learn's common estimator checks over every public estimator."""

import pytest
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_embed import (
    HashingSequenceTokenizer,
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceEmbeddingRegressor,
    SequenceTokenizer,
    expected_failed_checks,
)

ESTIMATORS = [
    PadTransformer(),
    PadTransformer(padding="post", truncating="post", value=-1),
    SequenceEmbeddingClassifier(),
    SequenceEmbeddingClassifier(pooling="average", hidden_units=(), dropout=0.2),
    SequenceEmbeddingClassifier(encoder="conv1d", pooling="max"),
    # One recurrent configuration, the cheapest: the GRU shares its code
    # path, and the bidirectional wrapper is a Keras layer around it (the
    # bidirectional GRU regressor of _kernel_path_checks.py and the tests of
    # _keras/test_layers.py cover both). Each recurrent configuration costs
    # the suite about a minute of CPU time.
    SequenceEmbeddingClassifier(
        encoder="lstm", pooling="average", encoder_units=8, learning_rate=0.01
    ),
    # One block of 2 heads (the defaults): the smallest Transformer.
    SequenceEmbeddingClassifier(
        encoder="transformer", pooling="average", encoder_units=8, learning_rate=0.01
    ),
    SequenceEmbeddingRegressor(),
    SequenceTokenizer(),
    SequenceTokenizer(num_words=100, ngram_range=(1, 2), binary=True),
    HashingSequenceTokenizer(),
    HashingSequenceTokenizer(n_buckets=100, ngram_range=(1, 2), binary=True),
]

# The checks that fail by design, with their reasons: sk_embed's public list,
# the one a user passes to check_estimator.
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


#: The common checks that need no numeric data. scikit-learn runs none of
#: its checks but check_estimator_cloneable on an estimator whose input is
#: text (it warns "Can't test estimator SequenceTokenizer which requires
#: input of type ... string=True"), as for its own CountVectorizer and
#: HashingVectorizer; these apply to the tokenizers all the same, and their
#: fit/transform behaviour is tested in text/test_tokenizer.py and
#: text/test_hashing.py.
TEXT_INPUT_CHECKS = [
    "check_no_attributes_set_in_init",
    "check_estimator_repr",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_mixin_order",
    "check_valid_tag_types",
    "check_estimator_tags_renamed",
    "check_do_not_raise_errors_in_init_or_set_params",
]


@pytest.mark.parametrize("check_name", TEXT_INPUT_CHECKS)
@pytest.mark.parametrize(
    "estimator",
    [e for e in ESTIMATORS if e.__sklearn_tags__().input_tags.string],
    ids=repr,
)
def test_text_input_estimator_checks(estimator, check_name):
    getattr(estimator_checks, check_name)(type(estimator).__name__, estimator)


def test_expected_failures_are_public_and_documented():
    from pathlib import Path

    import sk_embed

    docs = Path(__file__).resolve().parents[1] / "docs"
    guide = (docs / "user_guide" / "estimator_checks.rst").read_text()
    for name, checks in sk_embed.EXPECTED_FAILED_CHECKS.items():
        cls = getattr(sk_embed, name)
        assert expected_failed_checks(cls()) == checks
        for check in checks:
            assert check in guide and check in cls.__doc__, (name, check)
    # A new dict each time, also for a subclass, and none for the others.
    expected_failed_checks(SequenceEmbeddingRegressor()).clear()
    assert sk_embed.EXPECTED_FAILED_CHECKS["SequenceEmbeddingRegressor"]
    subclass = type("MyRegressor", (SequenceEmbeddingRegressor,), {})
    assert expected_failed_checks(subclass()) == expected_failed_checks(
        SequenceEmbeddingRegressor()
    )
    assert expected_failed_checks(PadTransformer()) == {}
