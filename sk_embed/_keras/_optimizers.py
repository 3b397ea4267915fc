"""Keras optimizers that sk_embed adds to Keras' own.

``make_optimizer`` turns an estimator's ``optimizer`` parameter (a Keras
name, ``"lazy_adam"``, a class or an instance) into a fresh optimizer.
``LazyAdam`` exists for the bag-of-ids networks (:class:`EmbeddingBag`):
their embedding table is large (600,000 rows in ``make_text_classifier``)
while a batch touches a few thousand rows. Keras' ``Adam`` densifies a
sparse gradient and updates every row and both of its moment tables on each
step, which cost half of every epoch there.
"""

import keras
import tensorflow as tf
from keras import ops


@keras.saving.register_keras_serializable(package="sk_embed")
class LazyAdam(keras.optimizers.Adam):
    """Adam that updates only the rows of a sparse gradient.

    Dense gradients get Keras' ``Adam`` update. A sparse gradient (an
    embedding lookup's ``tf.IndexedSlices``) updates only the rows it
    holds, moments included; the other rows keep their weights and
    moments until a batch uses them. That is the "lazy" Adam of TensorFlow
    Addons and PyTorch's ``SparseAdam``: the same as Adam for rows used in
    every batch, and for the others a step that ignores the batches that
    did not use them (no decayed momentum keeps moving an unused word).

    Its parameters are ``keras.optimizers.Adam``'s; it is also available
    as ``optimizer="lazy_adam"`` in sk_embed's estimators.
    """

    def update_step(self, gradient, variable, learning_rate):
        if not isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        rows, gradient = _sum_repeated_rows(gradient)
        dtype = variable.dtype
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        alpha = (
            ops.cast(learning_rate, dtype)
            * ops.sqrt(1 - ops.power(beta_2, step))
            / (1 - ops.power(beta_1, step))
        )
        index = self._get_variable_index(variable)
        m = self._update_rows(
            self._momentums[index],
            rows,
            lambda old: old + (gradient - old) * (1 - beta_1),
        )
        v = self._update_rows(
            self._velocities[index],
            rows,
            lambda old: old + (ops.square(gradient) - old) * (1 - beta_2),
        )
        if self.amsgrad:
            v = self._update_rows(
                self._velocity_hats[index], rows, lambda old: ops.maximum(old, v)
            )
        # Gather-then-update, not scatter_sub: the rows are distinct, and
        # TensorFlow's scatter-add is several times slower on the CPU.
        self._update_rows(
            variable, rows, lambda old: old - m * alpha / (ops.sqrt(v) + self.epsilon)
        )

    def _update_rows(self, variable, rows, update):
        """Set ``variable[rows] = update(variable[rows])``; return the new rows."""
        # Gather from the tf.Variable itself (a ResourceGather), not from a
        # read of its value: a live read would make the scatter below copy
        # the whole table.
        if isinstance(variable, keras.Variable):
            variable = variable.value
        new_rows = update(tf.gather(variable, rows))
        self.assign(variable, tf.IndexedSlices(new_rows, rows))
        return new_rows


def _sum_repeated_rows(gradient):
    """Rows of ``gradient`` with the values of repeated rows summed.

    A lookup of the same id twice in a batch gives two slices of one row;
    the moments must see their sum once, as a dense gradient would.
    :class:`EmbeddingBag` looks up each id once per batch: its slices skip
    the sum, the costlier part.
    """
    rows, position = tf.unique(gradient.indices)
    n_rows = tf.shape(rows)[0]
    # Distinct indices come back from tf.unique in their own order.
    values = tf.cond(
        tf.equal(n_rows, tf.shape(gradient.indices)[0]),
        lambda: gradient.values,
        lambda: tf.math.unsorted_segment_sum(gradient.values, position, n_rows),
    )
    return rows, values


#: Optimizer names of sk_embed's own, beside Keras' names.
OPTIMIZERS = {"lazy_adam": LazyAdam}


def make_optimizer(optimizer, learning_rate):
    """Return a fresh Keras optimizer for one fit.

    A new instance every time: a Keras optimizer holds per-model slots, so
    an instance shared by clones or refits would fail or leak state.
    """
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        optimizer = OPTIMIZERS[optimizer]()
    elif isinstance(optimizer, str):
        try:
            optimizer = keras.optimizers.get(optimizer)
        except ValueError as error:
            raise ValueError(
                f"Unknown optimizer {optimizer!r}; use a Keras optimizer name "
                "such as 'rmsprop' or 'adam', 'lazy_adam', or a "
                "keras.optimizers.Optimizer."
            ) from error
    elif isinstance(optimizer, type):
        optimizer = optimizer()
    config = optimizer.get_config()
    if learning_rate is not None:
        config["learning_rate"] = learning_rate
    return type(optimizer).from_config(config)
