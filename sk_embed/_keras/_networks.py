"""Keras model builders: the networks, free of any scikit-learn plumbing.

Every random layer gets its own seed derived from one integer, so a model
built twice with the same seed starts from the same weights and drops the
same units, without touching Keras', TensorFlow's or NumPy's global random
state. (A Keras layer left without a seed draws one from Python's global
``random`` module.)
"""

import keras
import numpy as np
from keras import layers

from ._layers import (
    BatchInvariantLayerNormalization,
    EmbeddingBag,
    MaskConsumingFlatten,
    MaskedGlobalPooling1D,
    MaskedMultiHeadAttention,
    PaddingMask,
    PositionEmbedding,
    RowLookupEmbedding,
    SoftmaxOutput,
)

#: Number of the extra embedding row that receives ids outside the vocabulary.
OOV_ROWS = 1
#: Width of the 1-D convolution windows of the "conv1d" encoder.
CONV_KERNEL_SIZE = 5

POOLINGS = ("flatten", "average", "sqrtn", "max")
ENCODERS = ("conv1d", "lstm", "gru", "transformer")


class _Seeds:
    """Hands out distinct per-layer seeds from one base seed (or None)."""

    def __init__(self, seed):
        self._seed = seed
        self._count = 0

    def next(self):
        self._count += 1
        return None if self._seed is None else self._seed + self._count


def _embedding(inputs, vocab_size, embedding_dim, embeddings, trainable, seeds, bag):
    """Embed the ids; with ``bag`` (a pooling but "flatten"), also pool them."""
    options = dict(
        embeddings_initializer=keras.initializers.RandomUniform(
            -0.05, 0.05, seed=seeds.next()
        ),
        trainable=trainable,
        name="embedding",
    )
    if bag is None:
        layer = RowLookupEmbedding(vocab_size + OOV_ROWS, embedding_dim, **options)
    else:
        layer = EmbeddingBag(vocab_size + OOV_ROWS, embedding_dim, bag, **options)
    outputs = layer(inputs)
    if embeddings is not None:
        # The out-of-vocabulary row starts at zero: no word's meaning.
        oov_row = np.zeros((OOV_ROWS, embedding_dim), dtype="float32")
        layer.set_weights([np.vstack([np.asarray(embeddings, "float32"), oov_row])])
    return outputs


def _dense(units, seeds, name, activation=None):
    layer = SoftmaxOutput if activation == "softmax" else layers.Dense
    return layer(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seeds.next()),
        name=name,
    )


def _residual_and_norm(x, update, name):
    added = layers.Add(name=f"{name}_residual")([x, update])
    return BatchInvariantLayerNormalization(epsilon=1e-6, name=f"{name}_norm")(added)


def _transformer_block(x, mask, index, heads, units, dropout, seeds):
    """Self-attention then a feed-forward layer, each added back to its
    input (residual) and layer-normalised, as in Vaswani et al. (2017)."""
    name = f"block_{index}"
    width = x.shape[-1]
    projected = heads * -(-width // heads)  # each head gets ceil(width / heads)
    projections = _dense(3 * projected, seeds, f"{name}_query_key_value")(x)
    attended = MaskedMultiHeadAttention(heads, name=f"{name}_attention")(
        projections, mask=mask
    )
    attended = _dense(width, seeds, f"{name}_attention_output")(attended)
    attended = _dropout(attended, dropout, seeds, f"{name}_attention_dropout")
    x = _residual_and_norm(x, attended, f"{name}_attention")
    hidden = _dense(units, seeds, f"{name}_feed_forward", "relu")(x)
    hidden = _dense(width, seeds, f"{name}_feed_forward_output")(hidden)
    hidden = _dropout(hidden, dropout, seeds, f"{name}_feed_forward_dropout")
    return _residual_and_norm(x, hidden, f"{name}_feed_forward")


def _transformer(x, mask, positions, blocks, heads, units, dropout, seeds):
    x = PositionEmbedding(
        positions,
        keras.initializers.RandomUniform(-0.05, 0.05, seed=seeds.next()),
        name="position_embedding",
    )(x, mask=mask)
    # As in Vaswani et al.: dropout on the sum of the two embeddings.
    x = _dropout(x, dropout, seeds, "embedding_dropout")
    for index in range(1, blocks + 1):
        x = _transformer_block(x, mask, index, heads, units, dropout, seeds)
    return x


def _encode(
    x, mask, encoder, seeds, *, units, bidirectional, blocks, heads, dropout, positions
):  # fmt: skip
    if encoder == "transformer":
        return _transformer(x, mask, positions, blocks, heads, units, dropout, seeds)
    if encoder == "conv1d":
        return layers.Conv1D(
            units,
            CONV_KERNEL_SIZE,
            padding="same",
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seeds.next()),
            name="encoder",
        )(x)
    recurrent = {"lstm": layers.LSTM, "gru": layers.GRU}[encoder](
        units,
        return_sequences=True,
        kernel_initializer=keras.initializers.GlorotUniform(seeds.next()),
        recurrent_initializer=keras.initializers.Orthogonal(seed=seeds.next()),
        seed=seeds.next(),
        name="encoder",
    )
    if bidirectional:
        recurrent = layers.Bidirectional(recurrent, name="bidirectional")
    return recurrent(x, mask=mask)


def _pool(x, mask, pooling):
    if pooling == "flatten":
        # After a recurrent encoder the sequence carries the padding mask;
        # Flatten keeps every position, so it takes the mask and drops it.
        flatten = layers.Flatten if mask is None else MaskConsumingFlatten
        return flatten(name="flatten")(x)
    return MaskedGlobalPooling1D(pooling, name=f"{pooling}_pooling")(x, mask=mask)


def _dropout(x, rate, seeds, name):
    if not rate:
        return x
    return layers.Dropout(rate, seed=seeds.next(), name=name)(x)


def build_embedding_network(
    *,
    vocab_size,
    sequence_length,
    embedding_dim,
    hidden_units,
    n_outputs,
    output_activation,
    pooling="flatten",
    encoder=None,
    encoder_units=32,
    bidirectional=False,
    transformer_blocks=1,
    attention_heads=2,
    dropout=0.0,
    embeddings=None,
    trainable_embeddings=True,
    seed=None,
    positions=None,
):
    """Build ``Embedding -> [encoder] -> pooling -> Dense... -> output``.

    With the defaults this is the seed network of the IMDB lesson:
    ``Embedding -> Flatten -> Dense(32, relu) -> Dense(1, sigmoid)``.

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
        Widths of the ReLU ``Dense`` layers after the pooling.
    n_outputs : int
        Width of the output layer.
    output_activation : str
        Activation of the output layer ("sigmoid", "softmax" or "linear").
    pooling : {"flatten", "average", "sqrtn", "max"}, default="flatten"
        How the sequence becomes one vector. "average", "sqrtn" and "max"
        skip the padding positions (id 0).
    encoder : {None, "conv1d", "lstm", "gru", "transformer"}, default=None
        A sequence layer between the embedding and the pooling.
    encoder_units : int, default=32
        Filters of the convolution, units of the recurrent layer, or width
        of the Transformer blocks' feed-forward layers.
    bidirectional : bool, default=False
        Run the recurrent encoder in both directions.
    transformer_blocks : int, default=1
        Number of Transformer blocks (``encoder="transformer"``).
    attention_heads : int, default=2
        Attention heads per Transformer block.
    dropout : float, default=0.0
        Dropout rate after the pooling and after each hidden layer, and in
        the Transformer encoder on the sum of the embeddings and on the
        attention and feed-forward outputs of its blocks.
    embeddings : ndarray of shape (vocab_size, embedding_dim), default=None
        Initial word vectors.
    trainable_embeddings : bool, default=True
        Whether training updates the embedding table.
    seed : int or None, default=None
        Base seed of every initialiser and dropout layer.
    positions : int or None, default=None
        Rows of the Transformer's position table; None for
        ``sequence_length``. A shared trainer (``_trainers``) of open width
        has more rows than any network it trains.

    Returns
    -------
    model : keras.Model
        The uncompiled model.
    """
    seeds = _Seeds(seed)
    inputs = keras.Input(shape=(sequence_length,), dtype="int32", name="token_ids")
    # Without an encoder, pooling needs only the real ids: EmbeddingBag looks
    # up and pools those alone, with no padded sequence in between.
    bag = pooling if encoder is None and pooling != "flatten" else None
    x = _embedding(
        inputs, vocab_size, embedding_dim, embeddings, trainable_embeddings, seeds, bag
    )
    if bag is None:
        needs_mask = pooling != "flatten" or encoder in ("lstm", "gru", "transformer")
        mask = PaddingMask(name="padding_mask")(inputs) if needs_mask else None
        if encoder is not None:
            x = _encode(
                x, mask, encoder, seeds, units=encoder_units,
                bidirectional=bidirectional, blocks=transformer_blocks,
                heads=attention_heads, dropout=dropout,
                positions=sequence_length if positions is None else positions,
            )  # fmt: skip
        x = _pool(x, mask, pooling)
    x = _dropout(x, dropout, seeds, "pooled_dropout")
    for index, units in enumerate(hidden_units, start=1):
        x = _dense(units, seeds, f"hidden_{index}", "relu")(x)
        x = _dropout(x, dropout, seeds, f"hidden_{index}_dropout")
    outputs = _dense(n_outputs, seeds, "output", output_activation)(x)
    return keras.Model(inputs, outputs, name="sequence_embedding")


def set_output_bias(model, bias):
    """Start the output layer of ``model`` from ``bias``, one value per unit.

    Not a parameter of the network: a trainer (``_trainers``) of the same
    architecture serves networks of any starting bias, copied into it.
    """
    output = model.get_layer("output")
    kernel, _ = output.get_weights()
    output.set_weights([kernel, np.asarray(bias, dtype=kernel.dtype)])


def build_and_compile(*, network, loss, metrics, optimizer, steps_per_execution):
    """Our network, compiled by us.

    scikeras gets it compiled, which keeps the loss and optimizer ours
    (scikeras would otherwise re-derive them from its own parameters).
    """
    model = build_embedding_network(**network)
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=list(metrics),
        steps_per_execution=steps_per_execution,
    )
    return model
