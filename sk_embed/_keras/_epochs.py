"""Whole epochs in one TensorFlow call, for fits with nothing to watch them.

Why: Keras' ``fit`` runs its traced train step from Python, a few steps per
call, fed by a ``tf.data`` iterator that it makes anew for every epoch, and
calls its callbacks around each call. On a few thousand sentences that
machinery cost more than a third of a fit (profiled on CR's 2,416 rows of a
cross-validation fold: 35 ms making iterators, 40 ms fetching batches, about
30 ms in ``fit`` itself, against 180 ms of training steps). When a fit has no
callbacks, no validation rows and no progress bar (every fit of
``make_text_classifier``, of a cross-validation or of a grid search), this
module runs each epoch as one call of a traced loop over the same
``train_step`` of the same Keras model, on the same batches in the same
order: the network ends with the same weights (``tests/_keras/test_epochs.py``
checks it) and ``history_`` with the same numbers.
"""

import keras
import numpy as np
import tensorflow as tf

#: Name of the traced epoch loops kept on a model, by the structure of the
#: data: a cached trainer (``_trainers``) keeps them for its next fit, as it
#: keeps Keras' own traced functions.
_EPOCH_FUNCTIONS = "_sk_embed_epoch_functions"


def fit_epochs(model, arrays, batch_size, epochs, initial_epoch, seed):
    """Train ``model`` as ``fit`` would with ``ShuffledBatches(arrays,
    batch_size, seed)`` and no callbacks, and return its history as a dict
    of lists.

    ``arrays`` is ``(X, y)`` or ``(X, y, sample_weight)``; the epochs are
    numbered from ``initial_epoch`` to ``initial_epoch + epochs - 1``.
    """
    tensors = tuple(tf.convert_to_tensor(array) for array in arrays)
    epoch_function = _epoch_function(model, tensors)
    order = _EpochOrders(len(arrays[0]), seed)
    history = {}
    model.stop_training = False
    for _ in range(initial_epoch, initial_epoch + epochs):
        model.reset_metrics()
        epoch_function(tensors, order.next(), tf.constant(batch_size, tf.int64))
        for name, value in model.get_metrics_result().items():
            history.setdefault(name, []).append(float(value))
    # As Keras' fit ends: LazyAdam catches its rows up here.
    model.optimizer.finalize_variable_values(model.trainable_weights)
    return history


class _EpochOrders:
    """The order of the rows in each epoch: the orders ``ShuffledBatches``
    draws from the same seed, one per call of :meth:`next`."""

    def __init__(self, n_samples, seed):
        self._seeds = np.random.default_rng(seed)
        self._rows = tf.range(n_samples, dtype=tf.int64)

    def next(self):
        seed = self._seeds.integers(2**63 - 1)
        return tf.random.experimental.stateless_shuffle(
            self._rows, seed=tf.stack([seed, 0])
        )


def _epoch_function(model, tensors):
    """The traced loop of one epoch for ``model``, made on its first use.

    Traced for any number of rows (and, where the model's input width is
    open, any width), so the folds of a cross-validation share it.
    """
    functions = model.__dict__.setdefault(_EPOCH_FUNCTIONS, {})
    # X's width is left out: a trainer of open width takes any.
    structure = (tensors[0].dtype, *((t.dtype, tuple(t.shape[1:])) for t in tensors[1:]))
    if structure in functions:
        return functions[structure]
    train_step = tf.autograph.experimental.do_not_convert(model.train_step)

    def run_epoch(tensors, order, batch_size):
        n_steps = (tf.size(order, out_type=tf.int64) + batch_size - 1) // batch_size
        for step in tf.range(n_steps):
            rows = order[step * batch_size : (step + 1) * batch_size]
            train_step(tuple(tf.gather(tensor, rows) for tensor in tensors))

    # Any number of rows; X of the model's width, which may be open.
    shapes = [(None, model.input_shape[1])] + [(None, *t.shape[1:]) for t in tensors[1:]]
    signature = (
        tuple(tf.TensorSpec(shape, t.dtype) for shape, t in zip(shapes, tensors)),
        tf.TensorSpec((None,), tf.int64),
        tf.TensorSpec((), tf.int64),
    )
    functions[structure] = tf.function(run_epoch, input_signature=signature)
    return functions[structure]


def can_fit_epochs(model, callbacks, validation, verbose):
    """Whether :func:`fit_epochs` can stand in for ``model.fit``: nothing
    watches the epochs (no callbacks, no validation rows, silent), and the
    model is a Keras model of this backend."""
    return (
        not callbacks
        and validation is None
        and not verbose
        and isinstance(model, keras.Model)
        and keras.backend.backend() == "tensorflow"
    )
