"""LazyAdam: Adam computed on the rows a sparse gradient touches."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sk_embed._keras._optimizers import LazyAdam, mark_distinct_gradient_rows


def _sparse(values, rows, n_rows=6):
    values = np.asarray(values, dtype="float32")
    return tf.IndexedSlices(
        tf.constant(values), tf.constant(rows, dtype=tf.int32),
        tf.constant([n_rows, values.shape[1]]),
    )  # fmt: skip


def _run(optimizer, gradients, dense=False, n_rows=6, finalize=True, mark=False):
    variable = keras.Variable(np.ones((n_rows, 2), dtype="float32"))
    if mark:
        mark_distinct_gradient_rows(variable)
    optimizer.build([variable])
    for gradient in gradients:
        if dense:
            gradient = tf.convert_to_tensor(gradient)
        optimizer.apply([gradient], [variable])
    if finalize:  # as Keras' fit does at its end
        optimizer.finalize_variable_values([variable])
    return variable.numpy()


@pytest.mark.parametrize("amsgrad", [False, True])
def test_equals_adam_when_every_step_touches_the_same_rows(amsgrad):
    # Repeated rows (0 twice) are summed, as a dense gradient sums them.
    gradients = [_sparse([[1, 2], [3, -4], [5, 6]], [0, 2, 0]) for _ in range(4)]
    expected = _run(keras.optimizers.Adam(0.1, amsgrad=amsgrad), gradients, dense=True)
    np.testing.assert_allclose(
        _run(LazyAdam(0.1, amsgrad=amsgrad), gradients), expected, rtol=1e-5
    )


def test_a_row_that_missed_steps_catches_up_at_the_end():
    gradients = [_sparse([[1, 1]], [0]), _sparse([[1, 1]], [3])]
    dense = _run(keras.optimizers.Adam(0.1), gradients, dense=True)
    # Adam keeps moving row 0 with its momentum in step 2; LazyAdam leaves
    # it until a batch uses it again, or the end of training.
    during = _run(LazyAdam(0.1), gradients, finalize=False)
    assert dense[0, 0] < during[0, 0] < 1.0
    np.testing.assert_allclose(_run(LazyAdam(0.1), gradients), dense, rtol=1e-5)
    # Rows no batch used never move.
    np.testing.assert_array_equal(during[[1, 2, 4, 5]], 1.0)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_equals_adam_over_many_steps_of_rare_rows(amsgrad):
    # 150 steps, each touching 1 to 4 of 20 rows: most rows miss most steps,
    # and catch up when a batch next uses them, then at the end.
    rng = np.random.RandomState(0)
    gradients = []
    for _ in range(150):
        rows = rng.choice(20, size=rng.randint(1, 5), replace=False)
        gradients.append(_sparse(rng.randn(len(rows), 2), rows, n_rows=20))
    dense = _run(
        keras.optimizers.Adam(0.01, amsgrad=amsgrad), gradients, dense=True, n_rows=20
    )
    lazy = _run(LazyAdam(0.01, amsgrad=amsgrad), gradients, n_rows=20)
    # The rows moved by up to 0.3; the differences are float rounding and
    # epsilon's share of the missed steps.
    assert np.abs(dense - 1).max() > 0.2
    np.testing.assert_allclose(lazy, dense, atol=2e-5)


def test_a_variable_marked_distinct_takes_its_slices_as_they_are():
    # Distinct rows: the same update as after the search for repeated rows.
    distinct = [_sparse([[1, 2], [3, -4]], [4, 1]), _sparse([[5, 6]], [1])]
    np.testing.assert_array_equal(
        _run(LazyAdam(0.1), distinct, mark=True), _run(LazyAdam(0.1), distinct)
    )
    # The mark is a promise the optimizer relies on: with it, a repeated row
    # is no longer summed. Adam's first step moves each weight by about the
    # learning rate against its gradient's sign, and the sum's signs differ
    # from those of either slice.
    repeated = [_sparse([[1, -3], [-2, 1]], [0, 0])]
    assert not np.array_equal(
        _run(LazyAdam(0.1), repeated, mark=True), _run(LazyAdam(0.1), repeated)
    )


def test_each_call_catches_up_the_rows_it_trained():
    # Three calls of one step each, as partial_fit makes: row 0, row 3,
    # row 0 again.
    steps = [_sparse([[1, 1]], [0]), _sparse([[1, 1]], [3]), _sparse([[1, 1]], [0])]
    variable = keras.Variable(np.ones((6, 2), dtype="float32"))
    lazy = LazyAdam(0.1)
    lazy.build([variable])
    after_each_call = []
    for gradient in steps:
        lazy.apply([gradient], [variable])
        lazy.finalize_variable_values([variable])
        after_each_call.append(variable.numpy())
    dense = [_run(keras.optimizers.Adam(0.1), steps[:n], dense=True) for n in (1, 2, 3)]
    # Row 0 missed step 2 and caught up in step 3, as Adam moved it.
    np.testing.assert_allclose(after_each_call[2][0], dense[2][0], rtol=1e-5)
    # Row 3, trained in call 2, caught up to its end, and not past it: call
    # 3 did not train it (a batch that uses it will).
    np.testing.assert_allclose(after_each_call[1][3], dense[1][3], rtol=1e-5)
    np.testing.assert_array_equal(after_each_call[2][3], after_each_call[1][3])
    assert dense[2][3, 0] < after_each_call[2][3, 0]


def test_partial_fit_leaves_its_rows_to_catch_up_when_next_used(token_data):
    from sk_embed import SequenceEmbeddingClassifier

    X, y = token_data
    clf = SequenceEmbeddingClassifier(
        pooling="average", hidden_units=(), optimizer="lazy_adam", random_state=0
    )
    clf.partial_fit(X, y, classes=np.unique(y))
    optimizer = clf.model_.optimizer
    # No catch-up at the end of the call: the caught-up step is still 0 ...
    assert optimizer.iterations.numpy() > 0
    assert optimizer._caught_up_at.numpy() == 0
    # ... and fit's end catches up, with the flag back to its default.
    clf.fit(X, y)
    assert clf.model_.optimizer._caught_up_at.numpy() == clf.model_.optimizer.iterations.numpy()
    assert optimizer.catch_up_at_end


def test_optimizer_state_saved_before_the_catch_up_loads():
    gradients = [_sparse([[1, 1]], [0]), _sparse([[1, 1]], [3])]
    variable = keras.Variable(np.ones((6, 2), dtype="float32"))
    saved = LazyAdam(0.1)
    saved.build([variable])
    for gradient in gradients:
        saved.apply([gradient], [variable])
    store = {}
    saved.save_own_variables(store)
    n_adam = len(store) - 1 - 1  # without caught_up_at and one last_steps
    old_store = {str(i): store[str(i)] for i in range(n_adam)}
    loaded = LazyAdam(0.1)
    loaded.build([variable])
    loaded.load_own_variables(old_store)
    assert loaded.iterations.numpy() == 2
    np.testing.assert_array_equal(loaded._momentums[0].numpy(), saved._momentums[0].numpy())
    # Every row counts as caught up at the saved step.
    np.testing.assert_array_equal(loaded._last_steps[0].numpy(), 2.0)
    assert loaded._caught_up_at.numpy() == 2.0


def test_a_network_trains_as_with_adam(token_data):
    from sk_embed import SequenceEmbeddingClassifier

    X, y = token_data
    # Average pooling without an encoder: a bag of ids, whose embedding
    # table gets sparse gradients.
    params = dict(pooling="average", hidden_units=(), epochs=3, random_state=0)
    lazy = SequenceEmbeddingClassifier(optimizer="lazy_adam", **params).fit(X, y)
    adam = SequenceEmbeddingClassifier(optimizer="adam", **params).fit(X, y)
    np.testing.assert_allclose(
        lazy.model_.get_weights()[0], adam.model_.get_weights()[0], atol=1e-5
    )
    np.testing.assert_allclose(lazy.predict_proba(X), adam.predict_proba(X), atol=1e-5)


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


def test_the_catch_up_is_traced_once_for_its_variables():
    # Called after each epoch of an epoch choice and at the end of every
    # fit: a retrace per call would cost more than running it eagerly.
    variable = keras.Variable(np.ones((6, 2), dtype="float32"))
    lazy = LazyAdam(0.1)
    lazy.build([variable])
    for rows in ([0], [3], [0, 5]):
        lazy.apply([_sparse([[1, 1]] * len(rows), rows)], [variable])
        lazy.finalize_variable_values([variable])
    (catch_up,) = lazy._sk_embed_catch_ups.values()
    assert catch_up.experimental_get_tracing_count() == 1
