"""LazyAdam: Adam on the rows a sparse gradient touches, and only those."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sk_embed._keras._optimizers import LazyAdam


def _sparse(values, rows, n_rows=6):
    values = np.asarray(values, dtype="float32")
    return tf.IndexedSlices(
        tf.constant(values), tf.constant(rows, dtype=tf.int32),
        tf.constant([n_rows, values.shape[1]]),
    )  # fmt: skip


def _run(optimizer, gradients, dense=False):
    variable = keras.Variable(np.ones((6, 2), dtype="float32"))
    optimizer.build([variable])
    for gradient in gradients:
        if dense:
            gradient = tf.convert_to_tensor(gradient)
        optimizer.apply([gradient], [variable])
    return variable.numpy()


@pytest.mark.parametrize("amsgrad", [False, True])
def test_equals_adam_when_every_step_touches_the_same_rows(amsgrad):
    # Repeated rows (0 twice) are summed, as a dense gradient sums them.
    gradients = [_sparse([[1, 2], [3, -4], [5, 6]], [0, 2, 0]) for _ in range(4)]
    expected = _run(keras.optimizers.Adam(0.1, amsgrad=amsgrad), gradients, dense=True)
    np.testing.assert_allclose(
        _run(LazyAdam(0.1, amsgrad=amsgrad), gradients), expected, rtol=1e-5
    )


def test_untouched_rows_keep_their_weights_and_moments():
    gradients = [_sparse([[1, 1]], [0]), _sparse([[1, 1]], [3])]
    lazy = _run(LazyAdam(0.1), gradients)
    dense = _run(keras.optimizers.Adam(0.1), gradients, dense=True)
    # Adam keeps moving row 0 with its momentum in step 2; LazyAdam does not.
    assert dense[0, 0] < lazy[0, 0] < 1.0
    np.testing.assert_allclose(lazy[3], dense[3], rtol=1e-5)
    np.testing.assert_array_equal(lazy[[1, 2, 4, 5]], 1.0)


def test_dense_gradients_get_adam_updates():
    gradients = [np.full((6, 2), 0.5, dtype="float32")] * 3
    np.testing.assert_allclose(
        _run(LazyAdam(0.1), gradients), _run(keras.optimizers.Adam(0.1), gradients)
    )


def test_lazy_adam_is_an_optimizer_name(token_data):
    from sk_embed import SequenceEmbeddingClassifier

    X, y = token_data
    clf = SequenceEmbeddingClassifier(
        pooling="average", optimizer="lazy_adam", learning_rate=0.01, epochs=1
    ).fit(X, y)
    assert isinstance(clf.model_.optimizer, LazyAdam)
    assert clf.model_.optimizer.learning_rate.numpy() == pytest.approx(0.01)
