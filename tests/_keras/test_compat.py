"""Tests of the training-data plumbing in sk_embed._keras._compat."""

import numpy as np
import pytest

from sk_embed._keras._compat import (
    ShuffledBatches,
    build_training_state,
    split_validation,
)
from sk_embed._keras._networks import build_embedding_network


def _epoch(batches):
    """One epoch, as Keras runs it: on_epoch_begin, then a fresh iterator."""
    batches.on_epoch_begin(0)
    return [tuple(part.numpy() for part in batch) for batch in batches.dataset]


def _rows(epoch):
    return np.concatenate([batch[0] for batch in epoch])


@pytest.mark.parametrize("n_samples, batch_size", [(10, 3), (12, 4), (5, 32)])
def test_every_row_once_per_epoch_in_batches(n_samples, batch_size):
    X = np.arange(n_samples * 2).reshape(n_samples, 2)
    y = np.arange(n_samples)
    batches = ShuffledBatches((X, y), batch_size, seed=0)
    epoch = _epoch(batches)

    sizes = [len(batch[0]) for batch in epoch]
    expected = [batch_size] * (n_samples // batch_size)
    if n_samples % batch_size:
        expected.append(n_samples % batch_size)
    assert sizes == expected
    assert sorted(_rows(epoch)[:, 0]) == list(range(0, 2 * n_samples, 2))
    for batch_X, batch_y in epoch:  # rows and targets stay paired
        np.testing.assert_array_equal(batch_X[:, 0] // 2, batch_y)
    assert batches.dataset.cardinality().numpy() == len(expected)
    assert batches.steps_per_epoch == len(expected)


def test_reshuffles_each_epoch_reproducibly():
    X = np.arange(100).reshape(100, 1)
    first = ShuffledBatches((X,), 10, seed=3)
    again = ShuffledBatches((X,), 10, seed=3)
    other = ShuffledBatches((X,), 10, seed=4)

    epochs = [_rows(_epoch(first)).ravel() for _ in range(3)]
    assert not np.array_equal(epochs[0], np.arange(100))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    for expected in epochs:
        np.testing.assert_array_equal(_rows(_epoch(again)).ravel(), expected)
    assert not np.array_equal(_rows(_epoch(other)).ravel(), epochs[0])


def test_unseeded_batches_differ_between_fits():
    X = np.arange(50).reshape(50, 1)
    a = _rows(_epoch(ShuffledBatches((X,), 10, seed=None))).ravel()
    b = _rows(_epoch(ShuffledBatches((X,), 10, seed=None))).ravel()
    assert sorted(a) == sorted(b) == list(range(50))
    assert not np.array_equal(a, b)


def test_split_validation_draws_a_stratified_random_fraction():
    # Sorted by label, as IMDB's archive is: the tail would be one class.
    X = np.arange(100).reshape(50, 2)
    y = np.repeat([0, 1], 25)
    (train_X, train_y), (val_X, val_y) = split_validation(
        (X, y), 0.2, seed=0, stratify=y
    )
    assert len(val_y) == 10 and np.bincount(val_y).tolist() == [5, 5]
    # Every row once, rows and targets still paired, training rows in order.
    np.testing.assert_array_equal(np.sort(np.r_[train_X[:, 0], val_X[:, 0]]), X[:, 0])
    np.testing.assert_array_equal(train_X[:, 0] // 2 >= 25, train_y == 1)
    assert (np.diff(train_X[:, 0]) > 0).all()
    again = split_validation((X, y), 0.2, seed=0, stratify=y)
    np.testing.assert_array_equal(again[1][0], val_X)
    other = split_validation((X, y), 0.2, seed=1, stratify=y)
    assert not np.array_equal(other[1][0], val_X)
    assert split_validation((X, y), 0.0) == ((X, y), None)


def test_split_validation_without_enough_rows_per_class_is_unstratified():
    X, y = np.arange(10), np.array([0] * 9 + [1])
    (_, train_y), (_, val_y) = split_validation((X, y), 0.3, seed=0, stratify=y)
    assert len(val_y) == 3 and len(train_y) == 7


def test_split_validation_of_a_multilabel_target_is_unstratified():
    # StratifiedShuffleSplit would stratify on the rows' label combinations
    # and fail on the one that occurs once.
    X = np.arange(12)
    Y = np.array([[0, 1], [1, 0]] * 5 + [[1, 1], [0, 0]])
    (train_X, train_Y), (val_X, val_Y) = split_validation(
        (X, Y), 0.25, seed=0, stratify=Y
    )
    unstratified = split_validation((X, Y), 0.25, seed=0)
    np.testing.assert_array_equal(val_X, unstratified[1][0])
    np.testing.assert_array_equal(val_Y, Y[val_X])
    assert len(val_X) == 3 and len(train_X) == 9


def test_split_validation_rejects_an_empty_training_set():
    with pytest.raises(ValueError, match="leaves no training sample out of 10"):
        split_validation((np.arange(10),), 0.95)


def test_train_step_is_traced_once_per_new_model():
    # Keras would build the optimizer and metrics inside the first trace,
    # and TensorFlow retraces a function that created variables.
    X = np.random.RandomState(0).randint(1, 20, size=(40, 6)).astype("int32")
    y = (X[:, 0] > 10).astype("float32")[:, None]
    model = build_embedding_network(
        vocab_size=20, sequence_length=6, embedding_dim=4, hidden_units=(4,),
        n_outputs=1, output_activation="sigmoid", seed=0,
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    traces = []
    train_step = model.train_step

    def counting_train_step(data):
        traces.append(1)  # Python runs only while TensorFlow traces
        return train_step(data)

    model.train_step = counting_train_step
    build_training_state(model, (X, y))
    assert model.optimizer.built
    model.fit(X, y, batch_size=16, epochs=2, verbose=0)
    assert len(traces) == 1
