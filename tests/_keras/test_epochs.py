"""Tests of whole epochs in one TensorFlow call (_keras/_epochs.py)."""

import keras
import numpy as np
import pytest

from sk_embed import SequenceEmbeddingClassifier, SequenceEmbeddingRegressor
from sk_embed._keras import _compat, _epochs, _trainers


@pytest.fixture(autouse=True)
def cold_cache():
    # Each fit below builds its own trainer, with its own traced functions.
    _trainers.clear_trainers()
    yield
    _trainers.clear_trainers()


class _Watcher(keras.callbacks.Callback):
    """A callback that does nothing: its presence makes Keras' fit train."""


def _fitted_pair(estimator_class, X, y, sample_weight=None, **params):
    """The estimator fitted by the epoch loop and by Keras' own fit (on a
    trainer alike: a user's callback would make the network train itself)."""
    own_loop = estimator_class(random_state=0, **params)
    own_loop.fit(X, y, sample_weight=sample_weight)
    _trainers.clear_trainers()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_compat, "can_fit_epochs", lambda *args: False)
        keras_fit = estimator_class(random_state=0, **params)
        keras_fit.fit(X, y, sample_weight=sample_weight)
    return own_loop, keras_fit


def _assert_same_fit(a, b):
    for left, right in zip(a.model_.get_weights(), b.model_.get_weights()):
        np.testing.assert_array_equal(left, right)
    assert a.history_ == b.history_


@pytest.mark.parametrize(
    "params",
    [
        dict(),  # the seed network: Flatten, RMSprop
        dict(pooling="sqrtn", hidden_units=(), optimizer="lazy_adam", dropout=0.5),
        dict(encoder="conv1d", pooling="max", dropout=0.2),
        dict(encoder="gru", pooling="average", encoder_units=4),
    ],
)
def test_the_epoch_loop_trains_as_keras_fit(params):
    rng = np.random.RandomState(0)
    X = rng.randint(0, 30, size=(130, 9))  # 130 rows: a last, short batch
    y = np.where(X[:, 0] > 15, "a", "b")
    weights = rng.rand(130)
    own_loop, keras_fit = _fitted_pair(
        SequenceEmbeddingClassifier, X, y, weights, epochs=3, batch_size=32, **params
    )
    _assert_same_fit(own_loop, keras_fit)
    assert len(own_loop.history_["loss"]) == 3


def test_the_epoch_loop_trains_multilabel_targets_and_regressors_as_keras_fit():
    rng = np.random.RandomState(1)
    X = rng.randint(1, 20, size=(80, 5))
    Y = np.column_stack([X[:, 0] > 10, X[:, 1] > 10]).astype(int)
    _assert_same_fit(
        *_fitted_pair(SequenceEmbeddingClassifier, X, Y, epochs=2, batch_size=16)
    )
    _assert_same_fit(
        *_fitted_pair(
            SequenceEmbeddingRegressor, X, X[:, 0] / 20.0, epochs=2, batch_size=16
        )
    )


def test_partial_fit_continues_with_the_epoch_loop_as_with_keras_fit():
    rng = np.random.RandomState(2)
    X = rng.randint(1, 20, size=(60, 5))
    y = (X[:, 0] > 10).astype(int)
    models = []
    for callbacks in (None, [_Watcher()]):
        clf = SequenceEmbeddingClassifier(random_state=0, callbacks=callbacks)
        for start in (0, 30, 0):
            clf.partial_fit(X[start : start + 30], y[start : start + 30], classes=[0, 1])
        models.append(clf)
    _assert_same_fit(*models)


def _short_texts(n_samples=160, width=40, seed=3):
    """Post-padded rows of 2 to 12 ids: most columns are padding."""
    rng = np.random.RandomState(seed)
    X = np.zeros((n_samples, width), dtype=np.int32)
    lengths = rng.randint(2, 13, size=n_samples)
    lengths[0] = width  # one row as long as the matrix: trim one batch less
    for row, length in enumerate(lengths):
        X[row, :length] = rng.randint(1, 40, size=length)
    return X, (X[:, 0] > 20).astype(int)


@pytest.mark.parametrize(
    "params, bitwise",
    [
        (dict(pooling="sqrtn", hidden_units=(), optimizer="lazy_adam"), True),
        (dict(encoder="conv1d", pooling="max"), False),
        (dict(encoder="gru", pooling="average", encoder_units=4), False),
    ],
)
def test_trimming_the_padding_of_batches_changes_no_result(params, bitwise):
    X, y = _short_texts()
    params = dict(params, epochs=3, batch_size=16, dropout=0.1, random_state=0)
    trimmed = SequenceEmbeddingClassifier(**params).fit(X, y)
    _trainers.clear_trainers()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_epochs, "trims_padding", lambda model: False)
        full = SequenceEmbeddingClassifier(**params).fit(X, y)
    if bitwise:
        _assert_same_fit(trimmed, full)
    else:  # the sums over positions have another shape: float rounding
        np.testing.assert_allclose(
            trimmed.predict_proba(X), full.predict_proba(X), rtol=0, atol=1e-5
        )
        np.testing.assert_allclose(trimmed.history_["loss"], full.history_["loss"], rtol=1e-5)


@pytest.mark.parametrize(
    "params, trims",
    [
        (dict(pooling="sqrtn", hidden_units=()), True),
        (dict(encoder="conv1d", pooling="max", dropout=0.5), True),
        (dict(encoder="transformer", pooling="average", dropout=0.0), True),
        # Dropout on every position draws its mask for the whole width.
        (dict(encoder="transformer", pooling="average", dropout=0.1), False),
        (dict(pooling="flatten"), False),  # weights for every position
    ],
)
def test_which_trainers_trim_the_padding_of_their_batches(params, trims):
    X, y = _short_texts()
    SequenceEmbeddingClassifier(epochs=1, random_state=0, **params).fit(X, y)
    trainer = _trainers._cache[next(iter(_trainers._cache))][0]
    assert _epochs.trims_padding(trainer) is trims


def test_a_batch_keeps_its_ids_and_half_a_convolution_window_of_padding():
    X = np.array([[3, 4, 0, 0, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0, 0, 0]], np.int32)
    batch, labels = _epochs.gather_batch((X, np.arange(2)), [1, 0], True)
    assert batch.numpy().tolist() == [[5, 0, 0, 0], [3, 4, 0, 0]]
    assert labels.numpy().tolist() == [1, 0]
    full = _epochs.gather_batch((X,), [0, 1], False)[0]
    assert full.shape == X.shape
    # All padding keeps the margin; no trailing padding keeps all columns.
    assert _epochs.gather_batch((np.zeros((2, 5), np.int32),), [0], True)[0].shape == (1, 2)
    assert _epochs.gather_batch((np.ones((2, 5), np.int32),), [0], True)[0].shape == (1, 5)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(callbacks=None, validation=None, verbose=0), True),
        (dict(callbacks=[_Watcher()], validation=None, verbose=0), False),
        (dict(callbacks=None, validation=(np.ones(2), np.ones(2)), verbose=0), False),
        (dict(callbacks=None, validation=None, verbose=1), False),
    ],
)
def test_only_fits_that_nothing_watches_take_the_epoch_loop(kwargs, expected):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    assert _epochs.can_fit_epochs(model, **kwargs) is expected
