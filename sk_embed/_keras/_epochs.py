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

from ._networks import CONV_KERNEL_SIZE

#: Padding columns kept after a batch's longest text (see
#: :func:`gather_batch`): half a convolution window, which reads the padding
#: ids after a text's last ids.
PADDING_MARGIN = CONV_KERNEL_SIZE // 2
#: Name of the traced epoch loops kept on a model, by the structure of the
#: data: a cached trainer (``_trainers``) keeps them for its next fit, as it
#: keeps Keras' own traced functions.
_EPOCH_FUNCTIONS = "_sk_embed_epoch_functions"


def fit_epochs(
    model, arrays, batch_size, epochs, initial_epoch, seed, on_epoch_end=None
):
    """Train ``model`` as ``fit`` would with ``ShuffledBatches(arrays,
    batch_size, seed)`` and no callbacks, and return its history as a dict
    of lists.

    ``arrays`` is ``(X, y)`` or ``(X, y, sample_weight)``; the epochs are
    numbered from ``initial_epoch`` to ``initial_epoch + epochs - 1``.
    ``on_epoch_end(model)``, if given, is called after each epoch, once
    LazyAdam's rows have caught up, and ends the fit by returning True.
    """
    tensors = tuple(tf.convert_to_tensor(array) for array in arrays)
    epoch_function = _epoch_function(model, tensors)
    order = EpochOrders(len(arrays[0]), seed)
    history = {}
    model.stop_training = False
    for _ in range(initial_epoch, initial_epoch + epochs):
        model.reset_metrics()
        epoch_function(tensors, order.next(), tf.constant(batch_size, tf.int64))
        for name, value in model.get_metrics_result().items():
            history.setdefault(name, []).append(float(value))
        if on_epoch_end is not None and end_epoch(model, on_epoch_end):
            break
    # As Keras' fit ends: LazyAdam catches its rows up here.
    model.optimizer.finalize_variable_values(model.trainable_weights)
    return history


def end_epoch(model, on_epoch_end):
    """Catch LazyAdam's rows up, as the end of a fit does, and return
    ``on_epoch_end(model)``: True ends the fit."""
    model.optimizer.finalize_variable_values(model.trainable_weights)
    return on_epoch_end(model)


class EpochOrders:
    """The order of the rows in each epoch, one per call of :meth:`next`,
    drawn from ``seed`` alone (``ShuffledBatches`` uses the same)."""

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
    X, *others = tensors
    structure = (X.dtype, *((t.dtype, tuple(t.shape[1:])) for t in others))
    if structure in functions:
        return functions[structure]
    train_step = tf.autograph.experimental.do_not_convert(model.train_step)
    trim = trims_padding(model)

    def run_epoch(tensors, order, batch_size):
        n_steps = (tf.size(order, out_type=tf.int64) + batch_size - 1) // batch_size
        for step in tf.range(n_steps):
            rows = order[step * batch_size : (step + 1) * batch_size]
            train_step(gather_batch(tensors, rows, trim))

    # Any number of rows; X of the model's width, which may be open.
    shapes = [(None, model.input_shape[1])] + [(None, *t.shape[1:]) for t in others]
    signature = (
        tuple(tf.TensorSpec(shape, t.dtype) for shape, t in zip(shapes, tensors)),
        tf.TensorSpec((None,), tf.int64),
        tf.TensorSpec((), tf.int64),
    )
    functions[structure] = tf.function(run_epoch, input_signature=signature)
    return functions[structure]


def trims_padding(model):
    """Whether ``model``'s training batches lose their trailing padding
    columns (see :func:`gather_batch`).

    When its input width is open, as a trainer's is for every network but
    Flatten (which has weights for every position), and no dropout acts on
    each position (as in the Transformer encoder): its random mask is drawn
    for the whole tensor, so another width would drop other units.
    """
    if model.input_shape[1] is not None:
        return False
    return not any(
        isinstance(layer, keras.layers.Dropout) and len(layer.input.shape) > 2
        for layer in model.layers
    )


def gather_batch(tensors, rows, trim_padding):
    """The ``rows`` of every tensor; with ``trim_padding``, the token ids
    (the first tensor) without the columns after the batch's longest text
    but ``PADDING_MARGIN``.

    Why: the encoders read every position, padded or not, and on short
    texts padded to the longest training text (``PadTransformer(maxlen=
    "auto")``) most positions of a batch are padding: CR's sentences have
    48 ids on average, 146 in a batch's longest, 265 in the longest of
    all. Cut, a batch costs what its own texts cost, and nothing else
    changes: the networks of open width leave the padding (id 0) out of
    their pooling, their recurrent steps and their attention, and the
    ``PADDING_MARGIN`` columns kept after the longest text are all that a
    convolution window at its last ids reads. What differs is the shape of
    the sums over positions (a convolution's weight gradient, an attention
    softmax), so the encoders' results agree to float rounding, the pooling
    networks' to the bit.
    """
    batch = [tf.gather(tensor, rows) for tensor in tensors]
    if trim_padding:
        token_ids = batch[0]
        width = tf.shape(token_ids, out_type=tf.int64)[1]
        used = tf.reduce_any(tf.not_equal(token_ids, 0), axis=0)
        last = tf.reduce_max(tf.where(used, tf.range(1, width + 1), 0))
        batch[0] = token_ids[:, : tf.clip_by_value(last + PADDING_MARGIN, 1, width)]
    return tuple(batch)


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
