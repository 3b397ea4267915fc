"""Seeding is reproducible and leaves every global random state alone."""

import os
import random

import numpy as np
import pytest
import tensorflow as tf

# Public TensorFlow only offers enable_op_determinism; the query is private.
from tensorflow.python.framework.config import is_op_determinism_enabled

from sk_embed import SequenceEmbeddingClassifier
from sk_embed._keras import _trainers


def _fit_proba(X, y, **params):
    return SequenceEmbeddingClassifier(epochs=3, **params).fit(X, y).predict_proba(X)


def test_same_seed_gives_identical_probabilities(token_data):
    X, y = token_data
    np.testing.assert_array_equal(
        _fit_proba(X, y, random_state=3), _fit_proba(X, y, random_state=3)
    )


def test_seed_controls_validation_split_and_batch_order(token_data):
    X, y = token_data
    params = dict(random_state=1, validation_split=0.2, batch_size=16)
    np.testing.assert_array_equal(_fit_proba(X, y, **params), _fit_proba(X, y, **params))


def test_global_tensorflow_seed_does_not_change_a_seeded_fit(token_data):
    X, y = token_data
    params = dict(random_state=2, validation_split=0.2, batch_size=16)
    tf.random.set_seed(1)
    first = _fit_proba(X, y, **params)
    tf.random.set_seed(2)
    second = _fit_proba(X, y, **params)
    np.testing.assert_array_equal(first, second)


def test_random_state_instance_is_reproducible(token_data):
    X, y = token_data
    a = _fit_proba(X, y, random_state=np.random.RandomState(5))
    b = _fit_proba(X, y, random_state=np.random.RandomState(5))
    np.testing.assert_array_equal(a, b)


def test_different_seeds_differ(token_data):
    X, y = token_data
    assert not np.array_equal(
        _fit_proba(X, y, random_state=0), _fit_proba(X, y, random_state=1)
    )


def _fit_in_two_batches(clf, X, y):
    clf.partial_fit(X[::2], y[::2], classes=np.unique(y))
    return clf.partial_fit(X[1::2], y[1::2])


@pytest.mark.parametrize(
    "train",
    [SequenceEmbeddingClassifier.fit, _fit_in_two_batches],
    ids=["fit", "partial_fit"],
)
def test_seeded_fit_leaves_global_state_untouched(token_data, train):
    X, y = token_data
    # A cold cache, so that the fit also builds its trainer (which once drew
    # its layers' seeds from Python's random module).
    _trainers.clear_trainers()
    tf.random.set_seed(1234)
    tf_reference = tf.random.uniform((4,)).numpy()
    tf.random.set_seed(1234)

    python_state = random.getstate()
    numpy_state = np.random.get_state()
    determinism = is_op_determinism_enabled()
    environment = dict(os.environ)

    train(SequenceEmbeddingClassifier(epochs=2, random_state=0), X, y).predict(X)

    assert random.getstate() == python_state
    after = np.random.get_state()
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    assert is_op_determinism_enabled() == determinism
    assert dict(os.environ) == environment
    # The global TensorFlow seed sequence continues where it was.
    np.testing.assert_array_equal(tf.random.uniform((4,)).numpy(), tf_reference)


def test_unseeded_fits_still_work_after_a_seeded_one(token_data):
    X, y = token_data
    SequenceEmbeddingClassifier(epochs=1, random_state=0).fit(X, y)
    a = _fit_proba(X, y)
    b = _fit_proba(X, y)
    assert not np.array_equal(a, b)  # really unseeded: fresh weights each time
