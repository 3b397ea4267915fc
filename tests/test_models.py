"""The Keras networks of sk_embed._models, checked against plain Keras."""

import keras
import numpy as np
import pytest

from sk_embed._models import (
    EmbeddingBag,
    MaskedGlobalPooling1D,
    PaddingMask,
    build_embedding_network,
)


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


@pytest.mark.parametrize(
    "pooling, encoder, embedding_layer",
    [
        ("flatten", None, "Embedding"),
        ("average", None, "EmbeddingBag"),
        ("max", None, "EmbeddingBag"),
        ("average", "conv1d", "Embedding"),
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
