"""Tests of SequenceEmbeddingRegressor beyond scikit-learn's common checks."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_token_data
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sk_embed import PadTransformer, SequenceEmbeddingRegressor


@pytest.fixture(scope="module")
def rating_data():
    """Ids 1..49 whose target is the last token's id scaled to [0, 10)."""
    X, _ = make_token_data(n_samples=300)
    return X, X[:, -1] / 5.0


@pytest.fixture(scope="module")
def fitted_regressor(rating_data):
    X, y = rating_data
    return SequenceEmbeddingRegressor(epochs=30, random_state=0).fit(X, y)


def test_learns_a_continuous_target(fitted_regressor, rating_data):
    X, y = rating_data
    assert fitted_regressor.score(X, y) > 0.8
    prediction = fitted_regressor.predict(X)
    assert prediction.shape == (len(X),) and prediction.dtype == np.float64
    # Linear output: predictions are not squashed into [0, 1].
    assert prediction.max() > 5


def test_network_ends_in_one_linear_unit(fitted_regressor):
    output = fitted_regressor.model_.get_layer("output")
    assert output.units == 1
    assert output.get_config()["activation"] == "linear"
    assert fitted_regressor.model_.loss == "mean_squared_error"


def test_default_learning_rate_and_history(rating_data):
    X, y = rating_data
    reg = SequenceEmbeddingRegressor(epochs=2, validation_split=0.2, random_state=0)
    assert reg.learning_rate == 0.01
    reg.fit(X, y)
    assert float(reg.model_.optimizer.learning_rate) == pytest.approx(0.01)
    assert set(reg.history_) == {
        "loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error"
    }  # fmt: skip
    assert all(len(values) == 2 for values in reg.history_.values())


def test_seeded_fits_are_identical(rating_data):
    X, y = rating_data
    first, second = (
        SequenceEmbeddingRegressor(epochs=2, random_state=3).fit(X, y).predict(X)
        for _ in range(2)
    )
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize(
    "params", [{}, {"encoder": "gru", "pooling": "average", "epochs": 2}]
)
def test_a_row_predicts_the_same_alone_or_with_others(rating_data, params):
    X, y = rating_data
    reg = SequenceEmbeddingRegressor(random_state=0, **params).fit(X, y)
    together = reg.predict(X[:20])
    alone = np.concatenate([reg.predict(X[i : i + 1]) for i in range(20)])
    np.testing.assert_array_equal(alone, together)
    # A last batch of one row (1,024 + 1 rows) is padded the same way.
    many = np.vstack([X] * 4)[:1025]
    np.testing.assert_array_equal(reg.predict(many)[-1], reg.predict(many[-1:])[0])


def test_pipeline_grid_search_and_cross_validation(rating_data):
    X, y = rating_data
    ragged = [row[row > 0] for row in X]
    pipe = make_pipeline(
        PadTransformer(maxlen=10),
        SequenceEmbeddingRegressor(epochs=15, random_state=0),
    )
    search = GridSearchCV(
        pipe,
        {"sequenceembeddingregressor__epochs": [1, 15]},
        cv=KFold(2),
        scoring="neg_mean_absolute_error",
    ).fit(ragged, y)
    # One epoch leaves the network far from the target.
    assert search.best_params_ == {"sequenceembeddingregressor__epochs": 15}
    assert search.best_estimator_.score(ragged, y) > 0.6
    scores = cross_val_score(pipe, ragged, y, cv=KFold(2))
    assert scores.shape == (2,) and np.all(scores > 0.3)


def test_pickle_round_trip_predicts_identically(fitted_regressor, rating_data):
    X, _ = rating_data
    restored = pickle.loads(pickle.dumps(fitted_regressor))
    np.testing.assert_array_equal(restored.predict(X), fitted_regressor.predict(X))


@pytest.mark.parametrize(
    "target, error, message",
    [
        (np.full(300, np.nan), ValueError, "Input y contains NaN"),
        (np.array(["good"] * 300), ValueError, "could not convert"),
        (None, ValueError, "requires y to be passed"),
    ],
)
def test_bad_targets_raise(rating_data, target, error, message):
    X, _ = rating_data
    with pytest.raises(error, match=message):
        SequenceEmbeddingRegressor().fit(X, target)


def test_bad_inputs_raise_clear_errors(fitted_regressor, rating_data):
    X, y = rating_data
    negative = X.copy()
    negative[2, 3] = -1
    cases = [
        (lambda: fitted_regressor.predict(negative), "token id -1 at row 2, column 3"),
        (lambda: fitted_regressor.predict(X[:, :4]), "X has 4 features"),
        (lambda: SequenceEmbeddingRegressor().fit(X[:0], y[:0]), "0 sample"),
        (lambda: SequenceEmbeddingRegressor().fit([[1, 2], [3]], [0.0, 1.0]),
         "PadTransformer"),
    ]  # fmt: skip
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(TypeError, match="tokenize and pad"):
        fitted_regressor.predict(["a great movie"])
    with pytest.raises(TypeError, match="dense data is required"):
        SequenceEmbeddingRegressor().fit(sp.csr_matrix(X), y)
    with pytest.raises(NotFittedError):
        SequenceEmbeddingRegressor().predict(X)


def test_caller_arrays_are_not_modified(rating_data):
    X, y = rating_data
    X_before, y_before = X.copy(), y.copy()
    reg = SequenceEmbeddingRegressor(vocab_size=20, epochs=1).fit(X, y)
    reg.predict(X)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
