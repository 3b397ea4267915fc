"""Tests of whole epochs in one TensorFlow call (_keras/_epochs.py)."""

import keras
import numpy as np
import pytest

from sk_embed import SequenceEmbeddingClassifier, SequenceEmbeddingRegressor
from sk_embed._keras import _epochs


class _Watcher(keras.callbacks.Callback):
    """A callback that does nothing: its presence makes Keras' fit train."""


def _fitted_pair(estimator_class, X, y, sample_weight=None, **params):
    """The estimator fitted by the epoch loop and by Keras' own fit."""
    own_loop = estimator_class(random_state=0, **params)
    own_loop.fit(X, y, sample_weight=sample_weight)
    keras_fit = estimator_class(random_state=0, callbacks=[_Watcher()], **params)
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
