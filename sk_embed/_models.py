"""Keras model builders: the networks, free of any scikit-learn plumbing.

Every random layer gets its own seed derived from one integer, so a model
built twice with the same seed starts from the same weights and drops the
same units, without touching Keras', TensorFlow's or NumPy's global random
state. (A Keras layer left without a seed draws one from Python's global
``random`` module.)
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

#: Number of the extra embedding row that receives ids outside the vocabulary.
OOV_ROWS = 1
#: Width of the 1-D convolution windows of the "conv1d" encoder.
CONV_KERNEL_SIZE = 5

POOLINGS = ("flatten", "average", "sqrtn", "max")
ENCODERS = ("conv1d", "lstm", "gru")


@keras.saving.register_keras_serializable(package="sk_embed")
class MaskedGlobalPooling1D(layers.Layer):
    """Average, sqrt-n sum or max over the time steps that are not padding.

    Keras' own global pooling layers either ignore masks (max) or divide by
    zero on an all-padding row (average); a row of padding pools to zeros
    here, and no result depends on how much padding a row has.
    """

    def __init__(self, mode="average", **kwargs):
        super().__init__(**kwargs)
        self.mode = mode
        # The mask is consumed here; nothing after the pooling needs one.
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, inputs, mask):
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), axis=-1)
        if self.mode in ("average", "sqrtn"):
            total = ops.sum(inputs * weights, axis=1)
            count = ops.maximum(ops.sum(weights, axis=1), 1.0)
            return total / (count if self.mode == "average" else ops.sqrt(count))
        lowest = ops.min(inputs) - 1.0
        masked = ops.where(weights > 0, inputs, lowest)
        has_tokens = ops.max(weights, axis=1) > 0
        return ops.where(has_tokens, ops.max(masked, axis=1), 0.0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="sk_embed")
class EmbeddingBag(layers.Layer):
    """Embed the non-padding ids of each row and pool them into one vector.

    The same result as ``Embedding`` followed by ``MaskedGlobalPooling1D``,
    at a cost that follows the real ids rather than the padded width: only
    the rows of real ids are looked up and pooled, and the gradient of the
    table is sparse, one row per real id, which an optimizer such as
    :class:`~sk_embed._optimizers.LazyAdam` applies row by row. (An IMDB
    review padded to ``make_text_classifier``'s 1,200 columns holds about
    390 real ids.)

    Parameters
    ----------
    input_dim : int
        Rows of the embedding table (ids ``0 .. input_dim - 1``).
    output_dim : int
        Size of each vector.
    mode : {"average", "sqrtn", "max"}, default="average"
        Mean, sum divided by the square root of the count (TensorFlow's
        "sqrtn" combiner), or element-wise maximum of the vectors of a row's
        real ids. A row of padding only pools to zeros.
    embeddings_initializer : initializer, default="uniform"
        Initializer of the table.
    """

    def __init__(
        self, input_dim, output_dim, mode="average", embeddings_initializer="uniform",
        **kwargs,
    ):  # fmt: skip
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.mode = mode
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )

    def call(self, token_ids):
        # TensorFlow's segment reductions: keras.ops has no sparse (gather
        # fused) segment mean.
        token_ids = tf.convert_to_tensor(token_ids)
        n_rows = tf.shape(token_ids)[0]
        real = tf.not_equal(token_ids, 0)
        positions = tf.where(real)
        row_of = positions[:, 0]
        # One lookup per distinct id of the batch: the table's gradient then
        # has one row per distinct id, so the optimizer has no repeated rows
        # to sum (a frequent word is in every row of a batch).
        distinct_ids, slot_of = tf.unique(tf.gather_nd(token_ids, positions))
        vectors = tf.gather(self.embeddings, distinct_ids)
        # Empty rows (padding only) get zeros.
        if self.mode == "average":
            return tf.sparse.segment_mean(vectors, slot_of, row_of, num_segments=n_rows)
        if self.mode == "sqrtn":
            return tf.sparse.segment_sqrt_n(
                vectors, slot_of, row_of, num_segments=n_rows
            )
        largest = tf.math.unsorted_segment_max(
            tf.gather(vectors, slot_of), row_of, num_segments=n_rows
        )
        # An empty row's maximum is the lowest float: give it zeros.
        return tf.where(tf.reduce_any(real, axis=1, keepdims=True), largest, 0.0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "mode": self.mode,
            "embeddings_initializer": keras.initializers.serialize(
                self.embeddings_initializer
            ),
        }


@keras.saving.register_keras_serializable(package="sk_embed")
class MaskConsumingFlatten(layers.Flatten):
    """``Flatten`` for masked sequences: every position, padding included.

    A plain ``Flatten`` given a masked input warns that it destroys the
    mask. Here that is the intent: the flattened vector has a fixed width
    and the network after it needs no mask.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None


@keras.saving.register_keras_serializable(package="sk_embed")
class PaddingMask(layers.Layer):
    """True where a token id is not the padding id 0."""

    def call(self, token_ids):
        return ops.not_equal(token_ids, 0)


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
        layer = layers.Embedding(vocab_size + OOV_ROWS, embedding_dim, **options)
    else:
        layer = EmbeddingBag(vocab_size + OOV_ROWS, embedding_dim, bag, **options)
    outputs = layer(inputs)
    if embeddings is not None:
        # The out-of-vocabulary row starts at zero: no word's meaning.
        oov_row = np.zeros((OOV_ROWS, embedding_dim), dtype="float32")
        layer.set_weights([np.vstack([np.asarray(embeddings, "float32"), oov_row])])
    return outputs


def _encode(x, mask, encoder, units, bidirectional, seeds):
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
    dropout=0.0,
    embeddings=None,
    trainable_embeddings=True,
    seed=None,
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
    encoder : {None, "conv1d", "lstm", "gru"}, default=None
        A sequence layer between the embedding and the pooling.
    encoder_units : int, default=32
        Filters of the convolution or units of the recurrent layer.
    bidirectional : bool, default=False
        Run the recurrent encoder in both directions.
    dropout : float, default=0.0
        Dropout rate after the pooling and after each hidden layer.
    embeddings : ndarray of shape (vocab_size, embedding_dim), default=None
        Initial word vectors.
    trainable_embeddings : bool, default=True
        Whether training updates the embedding table.
    seed : int or None, default=None
        Base seed of every initialiser and dropout layer.

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
        needs_mask = pooling != "flatten" or encoder in ("lstm", "gru")
        mask = PaddingMask(name="padding_mask")(inputs) if needs_mask else None
        if encoder is not None:
            x = _encode(x, mask, encoder, encoder_units, bidirectional, seeds)
        x = _pool(x, mask, pooling)
    x = _dropout(x, dropout, seeds, "pooled_dropout")
    for index, units in enumerate(hidden_units, start=1):
        x = layers.Dense(
            units,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seeds.next()),
            name=f"hidden_{index}",
        )(x)
        x = _dropout(x, dropout, seeds, f"hidden_{index}_dropout")
    outputs = layers.Dense(
        n_outputs,
        activation=output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(seeds.next()),
        name="output",
    )(x)
    return keras.Model(inputs, outputs, name="sequence_embedding")
