"""The custom layers and networks of sk_embed/_keras, checked against plain Keras."""

import pickle

import keras
import numpy as np
import pytest

from sk_embed import SequenceEmbeddingClassifier
from sk_embed._keras._layers import (
    EmbeddingBag,
    MaskedGlobalPooling1D,
    PaddingMask,
    RowLookupEmbedding,
)
from sk_embed._keras._networks import build_embedding_network
from sk_embed._keras._optimizers import has_distinct_gradient_rows
from sk_embed._keras._prediction import predict_in_chunks


def _token_rows():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 30, size=(16, 12)).astype("int32")
    X[3] = 0  # padding only, between rows with ids
    X[5, 4:] = 0
    X[-2:] = 0  # padding only, at the end of the batch
    X[7] = 9  # one id repeated along the row
    return X


def _numpy_pooling(vectors, mask, mode):
    """The pooling of each row over its unmasked positions, row by row."""
    pooled = np.zeros((len(vectors), vectors.shape[2]), "float32")
    for row, (row_vectors, row_mask) in enumerate(zip(vectors, mask)):
        real = row_vectors[row_mask]
        if len(real):
            pooled[row] = {
                "average": lambda: real.mean(axis=0),
                "sqrtn": lambda: real.sum(axis=0) / np.sqrt(len(real)),
                "max": lambda: real.max(axis=0),
            }[mode]()
    return pooled


@pytest.mark.parametrize("mode", ["average", "sqrtn", "max"])
def test_masked_pooling_matches_its_definition(mode):
    X = _token_rows()
    vectors = np.random.RandomState(1).normal(size=(*X.shape, 3)).astype("float32")
    pooled = MaskedGlobalPooling1D(mode)(vectors, mask=X != 0)
    np.testing.assert_allclose(pooled, _numpy_pooling(vectors, X != 0, mode), atol=1e-5)


@pytest.mark.parametrize("mode", ["average", "sqrtn", "max"])
def test_embedding_bag_equals_embedding_then_masked_pooling(mode):
    X = _token_rows()
    bag = EmbeddingBag(31, 4, mode, embeddings_initializer="uniform")
    inputs = keras.Input((12,), dtype="int32")
    embedding = keras.layers.Embedding(31, 4)
    reference = keras.Model(
        inputs,
        MaskedGlobalPooling1D(mode)(embedding(inputs), mask=PaddingMask()(inputs)),
    )
    bagged = keras.Model(inputs, bag(inputs))
    embedding.set_weights(bag.get_weights())
    expected = reference.predict_on_batch(X)
    np.testing.assert_allclose(bagged.predict_on_batch(X), expected, atol=1e-6)
    # Rows of padding only pool to zeros, wherever they are in the batch.
    assert not expected[[3, 14, 15]].any()


def test_masked_max_pooling_gradient_goes_to_the_real_maxima_only():
    import tensorflow as tf

    X = _token_rows()
    # ReLU outputs: many ties at zero, and rows of padding only.
    vectors = np.maximum(np.random.RandomState(2).normal(size=(*X.shape, 3)), 0)
    vectors = tf.constant(vectors.astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(vectors)
        pooled = MaskedGlobalPooling1D("max")(vectors, mask=X != 0)
    gradient = tape.gradient(pooled, vectors).numpy()
    assert not gradient[X == 0].any()  # never to the padding
    is_max = np.asarray(vectors) == np.asarray(pooled)[:, None, :]
    real_max = is_max & (X != 0)[..., None]
    ties = real_max.sum(axis=1, keepdims=True)
    expected = np.where(real_max, 1.0 / np.maximum(ties, 1), 0.0)
    np.testing.assert_allclose(gradient, expected, rtol=1e-6)


def test_row_lookup_embedding_gives_keras_embeddings_numbers_and_gradients():
    import tensorflow as tf

    X = _token_rows()
    ours, theirs = RowLookupEmbedding(31, 4), keras.layers.Embedding(31, 4)
    ours.build(X.shape)
    theirs.build(X.shape)
    theirs.set_weights(ours.get_weights())
    gradients = []
    for layer in (ours, theirs):
        with tf.GradientTape() as tape:
            outputs = layer(X.astype("float32"))  # as floats too
            loss = tf.reduce_sum(outputs**2)
        gradients.append(tf.convert_to_tensor(tape.gradient(loss, layer.embeddings.value)))
    np.testing.assert_array_equal(ours(X), theirs(X))
    np.testing.assert_array_equal(gradients[0], gradients[1])


def test_embedding_bag_gradient_has_one_row_per_distinct_id():
    import tensorflow as tf

    X = _token_rows()
    bag = EmbeddingBag(31, 4)
    bag.build(X.shape)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(bag(X) ** 2)
    (gradient,) = tape.gradient(loss, bag.trainable_variables)
    assert isinstance(gradient, tf.IndexedSlices)
    indices = gradient.indices.numpy()
    assert sorted(indices) == sorted(set(X[X > 0].tolist()))
    # So LazyAdam may skip its search for repeated rows.
    assert has_distinct_gradient_rows(bag.embeddings)


@pytest.mark.parametrize("mode", ["average", "sqrtn"])
def test_embedding_bag_gradient_equals_tensorflows_to_the_bit(mode):
    # The bag computes its gradient itself (a sparse-dense product, faster
    # than TensorFlow's gradient of a sparse segment mean or sqrt-n): it
    # must give the same table gradient, bit for bit, traced as in a fit.
    import tensorflow as tf

    X = np.random.RandomState(2).randint(0, 40, size=(64, 30)).astype("int32")
    X[X > 30] = 0  # rows of varied lengths
    X[[5, 63]] = 0  # padding only
    bag = EmbeddingBag(31, 8, mode, embeddings_initializer="uniform")
    bag.build(X.shape)
    upstream = tf.constant(np.random.RandomState(3).normal(size=(64, 8)), "float32")

    @tf.function
    def ours(ids):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(bag(ids) * upstream)
        return tf.convert_to_tensor(tape.gradient(loss, bag.trainable_variables)[0])

    def tensorflows(ids):
        reduce = {"average": tf.sparse.segment_mean, "sqrtn": tf.sparse.segment_sqrt_n}
        positions = tf.where(ids != 0)
        distinct, slot = tf.unique(tf.gather_nd(ids, positions))
        with tf.GradientTape() as tape:
            vectors = tf.gather(bag.embeddings.value, distinct)
            pooled = reduce[mode](vectors, slot, positions[:, 0], num_segments=len(X))
            loss = tf.reduce_sum(pooled * upstream)
        return tf.convert_to_tensor(tape.gradient(loss, bag.embeddings.value))

    expected = tensorflows(tf.constant(X)).numpy()
    assert np.count_nonzero(expected.any(axis=1)) == len(np.unique(X[X > 0]))
    np.testing.assert_array_equal(ours(tf.constant(X)).numpy(), expected)


@pytest.mark.parametrize(
    "pooling, encoder, embedding_layer",
    [
        ("flatten", None, "RowLookupEmbedding"),
        ("average", None, "EmbeddingBag"),
        ("max", None, "EmbeddingBag"),
        ("average", "conv1d", "RowLookupEmbedding"),
    ],
)
def test_bag_of_ids_networks_use_the_embedding_bag(pooling, encoder, embedding_layer):
    model = build_embedding_network(
        vocab_size=20, sequence_length=6, embedding_dim=3, hidden_units=(4,),
        n_outputs=1, output_activation="sigmoid", pooling=pooling, encoder=encoder,
        seed=0,
    )  # fmt: skip
    assert type(model.get_layer("embedding")).__name__ == embedding_layer


def test_recurrent_encoder_with_flatten_passes_no_mask_warning(recwarn):
    model = build_embedding_network(
        vocab_size=20, sequence_length=6, embedding_dim=3, hidden_units=(),
        n_outputs=1, output_activation="sigmoid", pooling="flatten", encoder="gru",
        encoder_units=2, seed=0,
    )  # fmt: skip
    model.predict_on_batch(np.array([[1, 2, 0, 0, 0, 0]], "int32"))
    assert not [w for w in recwarn if "mask" in str(w.message)]


@pytest.mark.parametrize("encoder", ["gru", "lstm"])
def test_bidirectional_encoder_reads_the_rows_both_ways(encoder):
    options = dict(
        vocab_size=20, sequence_length=6, embedding_dim=3, hidden_units=(),
        n_outputs=1, output_activation="sigmoid", pooling="average",
        encoder=encoder, encoder_units=2, seed=0,
    )  # fmt: skip
    model = build_embedding_network(bidirectional=True, **options)
    (wrapper,) = [l for l in model.layers if isinstance(l, keras.layers.Bidirectional)]
    # Two encoders of 2 units, one per direction, each ignoring the padding.
    assert wrapper.compute_output_shape((None, 6, 3))[-1] == 4
    X = np.array([[1, 2, 3, 0, 0, 0], [1, 2, 3, 4, 5, 0]], "int32")
    np.testing.assert_allclose(
        model.predict_on_batch(X[:1]), model.predict_on_batch(X)[:1], rtol=1e-6
    )
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_on_batch(X), model.predict_on_batch(X))


def _transformer(sequence_length, **params):
    options = dict(
        vocab_size=30, sequence_length=sequence_length, embedding_dim=6,
        hidden_units=(4,), n_outputs=3, output_activation="softmax",
        pooling="average", encoder="transformer", encoder_units=5,
        transformer_blocks=2, attention_heads=4, dropout=0.1, seed=0,
    )  # fmt: skip
    return build_embedding_network(**{**options, **params})


def _predict(model, X):
    return keras.ops.convert_to_numpy(model(np.asarray(X, "int32"), training=False))


def _randomise(model, seed=0):
    """Weights far from their small initial values, so a leak would show."""
    rng = np.random.RandomState(seed)
    model.set_weights([rng.normal(size=w.shape) for w in model.get_weights()])


@pytest.mark.parametrize("pooling", ["average", "max"])
def test_transformer_ignores_padding(pooling):
    text = [5, 17, 3, 29, 8]
    unpadded = _transformer(len(text), pooling=pooling)
    _randomise(unpadded)
    padded_model = _transformer(12, pooling=pooling)
    for layer in unpadded.layers:
        weights = layer.get_weights()
        if layer.name == "position_embedding":
            # 7 more positions, which no token of the text reaches.
            weights = [np.vstack([weights[0], np.full((7, 6), 9.0)])]
        padded_model.get_layer(layer.name).set_weights(weights)
    expected = np.repeat(_predict(unpadded, [text]), 3, axis=0)
    padded = [
        [0] * 7 + text,  # padding before
        text + [0] * 7,  # after
        [0, 0, 5, 17, 0, 3, 29, 0, 0, 8, 0, 0],  # in between
    ]
    np.testing.assert_allclose(_predict(padded_model, padded), expected, rtol=1e-5)
    # The padding id's vector never reaches a real token's output.
    embedding = padded_model.get_layer("embedding")
    table = embedding.get_weights()[0]
    table[0] = 50.0
    embedding.set_weights([table])
    np.testing.assert_allclose(_predict(padded_model, padded), expected, rtol=1e-5)


def test_transformer_layer_shapes():
    model = _transformer(7, embedding_dim=6, attention_heads=4, encoder_units=5)
    shapes = {layer.name: tuple(layer.output.shape) for layer in model.layers}
    assert shapes["position_embedding"] == (None, 7, 6)
    # 4 heads of ceil(6 / 4) = 2 dimensions each, for queries, keys and values.
    assert shapes["block_1_query_key_value"] == (None, 7, 3 * 8)
    assert shapes["block_1_attention"] == (None, 7, 8)
    assert shapes["block_1_attention_output"] == (None, 7, 6)
    assert shapes["block_1_feed_forward"] == (None, 7, 5)  # encoder_units wide
    assert shapes["block_2_feed_forward_norm"] == (None, 7, 6)
    assert "block_3_attention" not in shapes  # transformer_blocks=2
    assert shapes["average_pooling"] == (None, 6)
    assert _predict(model, np.ones((3, 7))).shape == (3, 3)


def test_transformer_row_does_not_depend_on_its_place_in_the_batch():
    # As the estimators predict: in chunks of one fixed shape (a bare
    # model call on another number of rows may round differently).
    rng = np.random.RandomState(0)
    model = _transformer(5, dropout=0.0)
    _randomise(model)
    for n_rows in (7, 20, 33):
        X = rng.randint(0, 4, size=(n_rows, 5)).astype("int32")
        order = rng.permutation(n_rows)
        together = predict_in_chunks(model, X)
        np.testing.assert_array_equal(
            together[order], predict_in_chunks(model, X[order])
        )
        np.testing.assert_array_equal(together[:1], predict_in_chunks(model, X[:1]))


def _fit_transformer_classifier(X, y):
    return SequenceEmbeddingClassifier(
        encoder="transformer", pooling="average", encoder_units=8,
        hidden_units=(), dropout=0.2, epochs=2, random_state=0,
    ).fit(X, y)  # fmt: skip


@pytest.fixture(scope="module")
def transformer_classifier(token_data):
    return _fit_transformer_classifier(*token_data)


def test_seeded_transformer_fits_are_identical(transformer_classifier, token_data):
    # Every initializer and dropout layer of the blocks draws from the seed.
    X, y = token_data
    np.testing.assert_array_equal(
        _fit_transformer_classifier(X, y).predict_proba(X),
        transformer_classifier.predict_proba(X),
    )


def test_transformer_classifier_round_trips(
    transformer_classifier, token_data, tmp_path
):
    X, _ = token_data
    restored = pickle.loads(pickle.dumps(transformer_classifier))
    np.testing.assert_array_equal(
        restored.predict_proba(X), transformer_classifier.predict_proba(X)
    )
    # Keras' own format finds the registered layers too.
    model = transformer_classifier.model_
    model.save(tmp_path / "transformer.keras")
    reloaded = keras.saving.load_model(tmp_path / "transformer.keras")
    np.testing.assert_array_equal(_predict(reloaded, X), _predict(model, X))

