"""Keras optimizers that sk_embed adds to Keras' own.

``make_optimizer`` turns an estimator's ``optimizer`` parameter (a Keras
name, ``"lazy_adam"``, a class or an instance) into a fresh optimizer.
``LazyAdam`` exists for the bag-of-ids networks (:class:`EmbeddingBag`):
their embedding table is large (600,000 rows in ``make_text_classifier``)
while a batch touches a few thousand rows. Keras' ``Adam`` densifies a
sparse gradient and updates every row and both of its moment tables on each
step, which cost half of every epoch there.
"""

import contextlib

import keras
import tensorflow as tf
from keras import ops


#: Missed steps whose moves are summed one by one when a row catches up (see
#: ``LazyAdam._missed_steps_sum``); beyond them, beta_1**j is below 0.002.
EXACT_STEPS = 64


@keras.saving.register_keras_serializable(package="sk_embed")
class LazyAdam(keras.optimizers.Adam):
    """Adam that computes only the rows of a sparse gradient.

    Dense gradients get Keras' ``Adam`` update. A sparse gradient (an
    embedding lookup's ``tf.IndexedSlices``) updates only the rows it
    holds, moments included. Adam would also move every other row at every
    step, along its decaying momentum; here a row that sat out some steps
    catches up when a batch next uses it, and at the end of the ``fit``
    that trained it: its weights move by the sum of the steps it missed and
    its moments decay as they would have. So a ``fit`` ends with Adam's
    weights, up to ``epsilon``'s share of the missed steps and float
    rounding, at the cost of the rows used. ``partial_fit`` leaves its rows
    to catch up when a batch next uses them (or a later ``fit`` ends): for
    the few steps of one call, catching up at its end cost more than the
    steps (4 s of the out-of-core example's 21 s, for the same accuracy).

    Why catch up: TensorFlow Addons' ``LazyAdam`` and PyTorch's
    ``SparseAdam`` skip the missed steps, and so leave out most of a rare
    word's movement: after a batch uses a row, Adam keeps moving it for
    dozens of steps, in all about nine times as far as that batch's own
    step (``beta_1 / sqrt(beta_2)`` to the power j, summed over j). With
    ``make_text_classifier``'s defaults, on held-out rows of the training
    parts of MPQA, CR, Subj, SST-2 and 5,000 IMDB reviews, catching up
    scored 0.5 to 0.9 points above skipping, and level on SST-5 and on all
    25,000 IMDB reviews.

    Its parameters are ``keras.optimizers.Adam``'s; it is also available
    as ``optimizer="lazy_adam"`` in sk_embed's estimators.
    """

    #: Whether the end of ``fit`` catches the rows up (see
    #: ``catching_up_at_the_end``).
    catch_up_at_end = True

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        # The step each row last caught up to, for every variable (only those
        # given sparse gradients use it): one float per row. And the step of
        # the last catch-up of every row trained before it.
        self._caught_up_at = self.add_variable(
            shape=(), initializer="zeros", dtype="float32", name="caught_up_at"
        )
        self._last_steps = [
            self.add_variable(
                shape=variable.shape[:1] or (1,),
                initializer="zeros",
                dtype="float32",
                name="last_step",
            )
            for variable in var_list
        ]

    def update_step(self, gradient, variable, learning_rate):
        if not isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        index = self._get_variable_index(variable)
        self._sparse.add(index)
        if has_distinct_gradient_rows(self._trainable_variables[index]):
            rows, gradient = gradient.indices, gradient.values
        else:
            rows, gradient = _sum_repeated_rows(gradient)
        dtype = variable.dtype
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        alpha = self._alpha(learning_rate, step, dtype)
        last_steps = self._last_steps[index]
        caught_up = self._catch_up(
            index, variable, rows, gather_rows(last_steps, rows), step - 1,
            learning_rate,
        )  # fmt: skip
        m = caught_up["m"] + (gradient - caught_up["m"]) * (1 - beta_1)
        v = caught_up["v"] + (ops.square(gradient) - caught_up["v"]) * (1 - beta_2)
        if self.amsgrad:
            v_hat = ops.maximum(caught_up["v_hat"], v)
            self._set_rows(self._velocity_hats[index], rows, v_hat)
        else:
            v_hat = v
        weights = caught_up["weights"] - m * alpha / (ops.sqrt(v_hat) + self.epsilon)
        self._store_rows(index, variable, rows, step, weights=weights, m=m, v=v)

    def finalize_variable_values(self, var_list):
        """Catch the rows trained since the last catch-up up to the last
        step (Keras calls this at the end of every ``fit``)."""
        if self.built and self.catch_up_at_end:
            self._catch_up_function(var_list)()
        super().finalize_variable_values(var_list)

    def _catch_up_function(self, var_list):
        """The traced catch-up of ``var_list``'s sparsely trained variables,
        made on its first use and kept on the optimizer.

        Why traced: run eagerly, its few dozen small operations cost 10-20
        ms per call, more than an epoch of a few thousand sentences, and a
        fit calls it at its end and after each epoch of an epoch choice.
        """
        sparse = [v for v in var_list if self._get_variable_index(v) in self._sparse]
        functions = self.__dict__.setdefault("_sk_embed_catch_ups", {})
        key = tuple(id(variable) for variable in sparse)
        if key not in functions:

            def catch_up():
                step = ops.cast(self.iterations, "float32")
                for variable in sparse:
                    self._catch_up_rows_trained_since(
                        variable, self._caught_up_at, step
                    )
                self._caught_up_at.assign(step)

            functions[key] = tf.function(catch_up, autograph=False)
        return functions[key]

    @property
    def _sparse(self):
        """Indices of the variables given sparse gradients (recorded when
        ``update_step`` is traced or run)."""
        return self.__dict__.setdefault("_sk_embed_sparse", set())

    def _catch_up_rows_trained_since(self, variable, since, step):
        # Only the rows trained since the last catch-up: the others caught
        # up then, and catch up again when a batch next uses them.
        index = self._get_variable_index(variable)
        last_steps = self._last_steps[index]
        rows = tf.reshape(tf.where(last_steps.value > since), [-1])
        caught_up = self._catch_up(
            index, variable, rows, gather_rows(last_steps, rows), step,
            self.learning_rate,
        )  # fmt: skip
        self._store_rows(
            index, variable, rows, step,
            weights=caught_up["weights"], m=caught_up["m"], v=caught_up["v"],
        )  # fmt: skip

    def load_own_variables(self, store):
        # A partial_fit stream pickled before the catch-up existed holds
        # Adam's variables only (ours come after them): load those, and
        # count every row as caught up at the saved step, which is what that
        # version did with the steps a row missed.
        ours = [self._caught_up_at, *self._last_steps]
        if len(store.keys()) != len(self.variables) - len(ours):
            return super().load_own_variables(store)
        for index, variable in enumerate(self.variables[: len(store.keys())]):
            variable.assign(store[str(index)])
        step = ops.cast(self.iterations, "float32")
        for variable in ours:
            variable.assign(ops.broadcast_to(step, variable.shape))

    def _alpha(self, learning_rate, step, dtype):
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        return (
            ops.cast(learning_rate, dtype)
            * ops.sqrt(1 - ops.power(beta_2, step))
            / (1 - ops.power(beta_1, step))
        )

    def _catch_up(self, index, variable, rows, last_steps, end, learning_rate):
        """``rows``' weights and moments after the steps from their
        ``last_steps`` to ``end`` that Adam would have taken with a zero
        gradient."""
        dtype = variable.dtype
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        m = gather_rows(self._momentums[index], rows)
        v = gather_rows(self._velocities[index], rows)
        # Step j after the last update moves the weights by
        # alpha(s + j) * beta_1**j * m / sqrt(beta_2**j * v) (sqrt(v_hat) with
        # amsgrad, which does not decay): a sum over j of ratio**j.
        if self.amsgrad:
            v_hat = gather_rows(self._velocity_hats[index], rows)
            ratio, denominator = beta_1, ops.sqrt(v_hat) + self.epsilon
        else:
            v_hat = None
            ratio, denominator = beta_1 / ops.sqrt(beta_2), ops.sqrt(v) + self.epsilon
        # Rows share their last steps: what depends on them alone is
        # computed once for each distinct one and gathered for every row.
        # Steps are whole numbers: tf.unique hashes int32 three times faster
        # than float32.
        starts, slot = tf.unique(ops.cast(last_steps, "int32"))
        starts = ops.cast(starts, dtype)
        missed = end - starts
        per_start = ops.stack(
            [
                self._missed_steps_sum(starts, end, ratio, learning_rate),
                ops.power(beta_1, missed),
                ops.power(beta_2, missed),
            ],
            axis=1,
        )
        steps_sum, m_decay, v_decay = ops.split(tf.gather(per_start, slot), 3, axis=1)
        return {
            "weights": gather_rows(variable, rows) - steps_sum * m / denominator,
            "m": m * m_decay,
            "v": v * v_decay,
            "v_hat": v_hat,
        }

    def _missed_steps_sum(self, starts, end, ratio, learning_rate):
        """The sum of alpha(s + j) * ratio**j over the missed steps s + j,
        from each of ``starts`` (s) to ``end``.

        The first ``EXACT_STEPS`` terms are summed as they are (the bias
        correction in alpha changes fast over a model's first steps); the
        rest, whose ratio**j is below a thousandth, as a geometric series at
        the alpha of their first step.
        """
        dtype = starts.dtype
        j = ops.arange(1, EXACT_STEPS + 2, dtype=dtype)
        steps = ops.expand_dims(starts, 1) + j
        terms = self._alpha(learning_rate, steps, dtype) * ops.power(ratio, j)
        exact = ops.sum(terms[:, :-1] * ops.cast(steps[:, :-1] <= end, dtype), axis=1)
        beyond = ops.maximum(end - starts - EXACT_STEPS, 0.0)
        tail = terms[:, -1] * (1 - ops.power(ratio, beyond)) / (1 - ratio)
        return exact + tail

    def _store_rows(self, index, variable, rows, step, *, weights, m, v):
        """Write ``rows``' weights and moments, as of ``step``."""
        self._set_rows(variable, rows, weights)
        self._set_rows(self._momentums[index], rows, m)
        self._set_rows(self._velocities[index], rows, v)
        self._set_rows(
            self._last_steps[index], rows, ops.broadcast_to(step, ops.shape(rows))
        )

    def _set_rows(self, variable, rows, values):
        """Set ``variable[rows] = values``."""
        # Distinct rows: an IndexedSlices assignment, not scatter_sub, as
        # TensorFlow's scatter-add is several times slower on the CPU.
        if isinstance(variable, keras.Variable):
            variable = variable.value
        self.assign(variable, tf.IndexedSlices(values, rows))


def gather_rows(variable, rows):
    """``variable[rows]``, gathered from the tf.Variable itself.

    A ResourceGather, not a gather from a read of the variable's value:
    once a variable has had rows updated in place (as here), TensorFlow
    copies the whole table on every read of its value, and a read still
    alive makes the next in-place update copy it too.
    """
    if isinstance(variable, keras.Variable):
        variable = variable.value
    return tf.gather(variable, rows)


#: Attribute that marks a variable whose sparse gradients never repeat a row.
_DISTINCT_GRADIENT_ROWS = "_sk_embed_distinct_gradient_rows"


def mark_distinct_gradient_rows(variable):
    """Declare that the sparse gradients of ``variable`` never repeat a row.

    LazyAdam then applies them as they are, without the search for repeated
    rows (a hash of every row id, about a tenth of the update's time on an
    IMDB batch). A layer that looks each id up once per batch, such as
    :class:`EmbeddingBag`, marks its table.
    """
    setattr(variable, _DISTINCT_GRADIENT_ROWS, True)


def has_distinct_gradient_rows(variable):
    """Whether ``variable`` was marked by :func:`mark_distinct_gradient_rows`."""
    return getattr(variable, _DISTINCT_GRADIENT_ROWS, False)


def _sum_repeated_rows(gradient):
    """Rows of ``gradient`` with the values of repeated rows summed.

    A lookup of the same id twice in a batch gives two slices of one row;
    the moments must see their sum once, as a dense gradient would.
    :class:`EmbeddingBag` looks up each id once per batch and marks its
    table (:func:`mark_distinct_gradient_rows`), whose slices skip all this.
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


@contextlib.contextmanager
def catching_up_at_the_end(optimizer, enabled):
    """Within the block, Keras' ``fit`` ends with the catch-up of
    ``optimizer``'s rows if ``enabled``, a LazyAdam's only (see LazyAdam)."""
    if not isinstance(optimizer, LazyAdam):
        yield
        return
    previous, optimizer.catch_up_at_end = optimizer.catch_up_at_end, enabled
    try:
        yield
    finally:
        optimizer.catch_up_at_end = previous


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
