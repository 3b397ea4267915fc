"""Keras model builders: the networks, free of any scikit-learn plumbing.

Every random initialiser gets its own seed derived from one integer, so a
model built twice with the same seed starts from the same weights without
touching Keras', TensorFlow's or NumPy's global random state.
"""

import keras
from keras import layers

#: Number of the extra embedding row that receives ids outside the vocabulary.
OOV_ROWS = 1


def _seeded(seed, offset):
    """Return a per-layer seed, or None to let Keras draw one."""
    return None if seed is None else seed + offset


def _dense_initializer(seed, offset):
    return keras.initializers.GlorotUniform(seed=_seeded(seed, offset))


def build_embedding_network(
    *,
    vocab_size,
    sequence_length,
    embedding_dim,
    hidden_units,
    n_outputs,
    output_activation,
    seed=None,
):
    """Build the seed network: ``Embedding -> Flatten -> Dense... -> output``.

    Parameters
    ----------
    vocab_size : int
        Number of token ids the model knows (``0 .. vocab_size - 1``). The
        embedding table gets one more row, for out-of-vocabulary ids.
    sequence_length : int
        Length of the padded input rows.
    embedding_dim : int
        Size of each word vector.
    hidden_units : sequence of int
        Widths of the ReLU ``Dense`` layers after the embedding.
    n_outputs : int
        Width of the output layer.
    output_activation : str
        Activation of the output layer ("sigmoid", "softmax" or "linear").
    seed : int or None
        Base seed of every initialiser.

    Returns
    -------
    model : keras.Model
        The uncompiled model.
    """
    inputs = keras.Input(shape=(sequence_length,), dtype="int32", name="token_ids")
    x = layers.Embedding(
        vocab_size + OOV_ROWS,
        embedding_dim,
        embeddings_initializer=keras.initializers.RandomUniform(
            -0.05, 0.05, seed=_seeded(seed, 0)
        ),
        name="embedding",
    )(inputs)
    x = layers.Flatten(name="flatten")(x)
    for index, units in enumerate(hidden_units, start=1):
        x = layers.Dense(
            units,
            activation="relu",
            kernel_initializer=_dense_initializer(seed, index),
            name=f"hidden_{index}",
        )(x)
    outputs = layers.Dense(
        n_outputs,
        activation=output_activation,
        kernel_initializer=_dense_initializer(seed, len(hidden_units) + 1),
        name="output",
    )(x)
    return keras.Model(inputs, outputs, name="sequence_embedding")
