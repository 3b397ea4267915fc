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
ENCODERS = ("conv1d", "lstm", "gru", "transformer")
#: Large negative score of padding keys: their attention weight is exactly 0.
MASKED_SCORE = -1e9
#: Most and fewest rows of one forward pass at prediction time (see
#: ``predict_in_chunks``). The fewest is a multiple of every SIMD width, so
#: no element of a chunk's tensors is left to a scalar loop.
PREDICT_MAX_ROWS = 1024
PREDICT_MIN_ROWS = 16
#: About how many multiply-adds one prediction chunk may cost (0.1 s on 2
#: cores with oneDNN, up to 0.5 s without): the seed network gets chunks of
#: 1,024 rows, a 1-D convolution of 64 filters over 400 tokens chunks of
#: 512, a Transformer block 32 wide over 400 tokens chunks of 128. Smaller
#: chunks would predict one row faster but many rows slower: each eager
#: call of a network costs about 1.5 ms per layer besides the arithmetic.
PREDICT_CHUNK_WORK = 2**31
#: Widest SIMD register, in float32 values (AVX-512).
SIMD_WIDTH = 16


def batch_invariant_softmax(logits):
    """Softmax over the last axis whose result for a row ignores the rest of
    the batch.

    TensorFlow's CPU softmax kernel (Eigen's, without oneDNN) evaluates
    ``exp(logits - max)`` in tiles, in SIMD registers but for the last few
    values of a tile, which a scalar ``exp`` rounds differently. With 7
    classes, a tile of whole rows ends mid-register, and where depends on
    the tensor's shape, the machine's caches and the threads: a row
    predicted in one place of a batch differed in the last bit from the same
    row in another (scikit-learn's ``check_methods_sample_order_invariance``).
    Here each row is first padded to a multiple of the widest SIMD register
    with ``-inf`` logits, whose probability is exactly 0, and cut back
    after, so that every row is computed alike; rows of such a width (the
    attention's over 400 tokens) need no padding. The fused kernel stays: a
    softmax of separate operations cost twice as much here on the
    attention's ``length x length`` weights (six times with oneDNN). The
    logits are kept on the result, as Keras' softmax keeps them, so that a
    cross-entropy (the validation loss of a fit) is still computed from
    them.
    """
    width = logits.shape[-1]
    missing = -width % SIMD_WIDTH
    if missing:
        padding = [(0, 0)] * (len(logits.shape) - 1) + [(0, missing)]
        padded = ops.pad(logits, padding, constant_values=float("-inf"))
        output = ops.softmax(padded, axis=-1)[..., :width]
    else:
        output = ops.softmax(logits, axis=-1)
    try:
        output._keras_logits = logits
    except AttributeError:  # a tensor type that takes no attributes
        pass
    return output


class _ConsumesMask:
    """For layers handed the padding mask explicitly: they use it and pass
    none on, so the layers after them (Flatten, Dense) get no mask to drop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None


@keras.saving.register_keras_serializable(package="sk_embed")
class MaskedGlobalPooling1D(_ConsumesMask, layers.Layer):
    """Average, sqrt-n sum or max over the time steps that are not padding.

    Keras' own global pooling layers either ignore masks (max) or divide by
    zero on an all-padding row (average); a row of padding pools to zeros
    here, and no result depends on how much padding a row has.
    """

    def __init__(self, mode="average", **kwargs):
        super().__init__(**kwargs)
        self.mode = mode

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
    :class:`~sk_embed._keras._optimizers.LazyAdam` applies row by row. (An IMDB
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
class MaskConsumingFlatten(_ConsumesMask, layers.Flatten):
    """``Flatten`` for masked sequences: every position, padding included.

    A plain ``Flatten`` given a masked input warns that it destroys the
    mask. Here that is the intent: the flattened vector has a fixed width
    and the network after it needs no mask.
    """


@keras.saving.register_keras_serializable(package="sk_embed")
class PaddingMask(layers.Layer):
    """True where a token id is not the padding id 0."""

    def call(self, token_ids):
        return ops.not_equal(token_ids, 0)


@keras.saving.register_keras_serializable(package="sk_embed")
class PositionEmbedding(_ConsumesMask, layers.Layer):
    """Add a learned vector for each token's position among the real tokens.

    Positions are counted over the non-padding tokens of a row, from 0 at
    its first one, so a text gets the same position vectors whether it is
    padded before or after and however much padding it has. Padding
    positions get the vector of position 0; the attention never reads them.

    Parameters
    ----------
    max_length : int
        Number of positions (the padded length of the rows).
    embeddings_initializer : initializer, default="uniform"
        Initializer of the position table.
    """

    def __init__(self, max_length, embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            shape=(self.max_length, input_shape[-1]),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )

    def call(self, inputs, mask):
        real = ops.cast(mask, "int32")
        positions = ops.maximum(ops.cumsum(real, axis=1) - 1, 0)
        return inputs + ops.take(self.embeddings, positions, axis=0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "max_length": self.max_length,
            "embeddings_initializer": keras.initializers.serialize(
                self.embeddings_initializer
            ),
        }


@keras.saving.register_keras_serializable(package="sk_embed")
class MaskedMultiHeadAttention(_ConsumesMask, layers.Layer):
    """Scaled dot-product attention, head by head, over the real tokens only.

    Takes the projected queries, keys and values side by side, of shape
    ``(batch, length, 3 * num_heads * head_dim)``, and returns the heads'
    results side by side, ``(batch, length, num_heads * head_dim)``.
    Padding keys get exactly zero weight, so no real token's output depends
    on the padding's vectors or on how much padding its row has.

    The projection is an ordinary seeded ``Dense`` layer before this one,
    one matrix product for the three. (Keras' ``MultiHeadAttention`` copies
    one seeded initializer to its query, key and value kernels, which then
    all start equal.)

    Parameters
    ----------
    num_heads : int
        Number of attention heads; ``head_dim`` is the projected width
        divided by ``3 * num_heads``.
    """

    def __init__(self, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads

    def call(self, projections, mask, training=None):
        # Static shapes (the padded length is fixed): no shape ops to trace.
        length, width = projections.shape[1], projections.shape[2] // 3
        head_dim = width // self.num_heads
        # (batch, heads, length, head_dim) each
        query, key, value = (
            ops.transpose(
                ops.reshape(part, (-1, length, self.num_heads, head_dim)), (0, 2, 1, 3)
            )
            for part in ops.split(projections, 3, axis=-1)
        )
        # The padding keys' penalty is added rather than selected: the
        # gradient of a sum passes through unchanged, where a select's costs
        # one more pass over the (length x length) scores of every head.
        penalty = ops.where(mask, 0.0, MASKED_SCORE)
        scores = ops.matmul(query / np.sqrt(head_dim), ops.swapaxes(key, -1, -2))
        scores = scores + ops.reshape(penalty, (-1, 1, 1, length))
        # Training keeps TensorFlow's fused softmax (and its gradient); at
        # inference a row's weights must not depend on the rest of the batch.
        softmax = ops.softmax if training else batch_invariant_softmax
        weights = softmax(scores)
        attended = ops.transpose(ops.matmul(weights, value), (0, 2, 1, 3))
        return ops.reshape(attended, (-1, length, width))

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (input_shape[-1] // 3,)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads}


@keras.saving.register_keras_serializable(package="sk_embed")
class BatchInvariantLayerNormalization(layers.LayerNormalization):
    """``LayerNormalization`` whose result for a row ignores the rest of the batch.

    Keras' layer divides by ``rsqrt(variance)``. TensorFlow's CPU kernel
    computes ``rsqrt`` in SIMD blocks and the last few values of a tensor
    one by one, and the two round differently; so a row predicted at the
    end of a batch differed in the last bits from the same row predicted
    elsewhere (scikit-learn's ``check_methods_sample_order_invariance``).
    A square root and a division are exactly rounded on both paths.
    Normalises over the last axis, the only use here.
    """

    def call(self, inputs):
        centred = inputs - ops.mean(inputs, axis=-1, keepdims=True)
        variance = ops.mean(ops.square(centred), axis=-1, keepdims=True)
        outputs = centred / ops.sqrt(variance + self.epsilon)
        if self.scale:
            outputs = outputs * self.gamma
        if self.center:
            outputs = outputs + self.beta
        return outputs


@keras.saving.register_keras_serializable(package="sk_embed")
class SoftmaxOutput(layers.Dense):
    """The softmax output layer: a ``Dense`` layer whose softmax, at
    inference, is :func:`batch_invariant_softmax`.

    Training keeps Keras' softmax, so a fit is unchanged; the predicted
    probabilities differ from it at most in the last bit.
    """

    def call(self, inputs, training=None):
        if training:
            return super().call(inputs)
        logits = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            logits = ops.add(logits, self.bias)
        return batch_invariant_softmax(logits)


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


def _transformer(x, mask, blocks, heads, units, dropout, seeds):
    x = PositionEmbedding(
        x.shape[1],
        keras.initializers.RandomUniform(-0.05, 0.05, seed=seeds.next()),
        name="position_embedding",
    )(x, mask=mask)
    # As in Vaswani et al.: dropout on the sum of the two embeddings.
    x = _dropout(x, dropout, seeds, "embedding_dropout")
    for index in range(1, blocks + 1):
        x = _transformer_block(x, mask, index, heads, units, dropout, seeds)
    return x


def _encode(x, mask, encoder, seeds, *, units, bidirectional, blocks, heads, dropout):
    if encoder == "transformer":
        return _transformer(x, mask, blocks, heads, units, dropout, seeds)
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
            )  # fmt: skip
        x = _pool(x, mask, pooling)
    x = _dropout(x, dropout, seeds, "pooled_dropout")
    for index, units in enumerate(hidden_units, start=1):
        x = _dense(units, seeds, f"hidden_{index}", "relu")(x)
        x = _dropout(x, dropout, seeds, f"hidden_{index}_dropout")
    outputs = _dense(n_outputs, seeds, "output", output_activation)(x)
    return keras.Model(inputs, outputs, name="sequence_embedding")


def prediction_rows(model):
    """Rows of every forward pass of ``model`` in ``predict_in_chunks``.

    A power of two from ``PREDICT_MIN_ROWS`` to ``PREDICT_MAX_ROWS``, the
    largest whose chunk costs at most about ``PREDICT_CHUNK_WORK``
    multiply-adds: a row predicted alone is padded to a whole chunk, so a
    network that costs much per row (a Transformer over long texts) gets
    small chunks, and a cheap one large chunks, which save per-call
    overhead. It depends on the network's architecture only, never on the
    data predicted.
    """
    work = max(_multiply_adds_per_row(model), 1)
    rows = PREDICT_MAX_ROWS
    while rows > PREDICT_MIN_ROWS and rows * work > PREDICT_CHUNK_WORK:
        rows //= 2
    return rows


def _multiply_adds_per_row(model):
    """About how many multiply-adds ``model`` spends on one row.

    Each layer's weights times the positions it is applied at (a Dense
    layer after the pooling at one, a convolution, a recurrent layer or a
    Transformer's Dense layers at every token), plus the attention's
    query-key and weight-value products; embedding tables are looked up,
    not multiplied.
    """
    total = 0
    for layer in model.layers:
        if isinstance(layer, (layers.Embedding, EmbeddingBag, PositionEmbedding)):
            continue
        shape = tuple(layer.output.shape)
        positions = int(np.prod(shape[1:-1], dtype=np.int64))
        total += positions * sum(int(np.prod(w.shape)) for w in layer.weights)
        if isinstance(layer, MaskedMultiHeadAttention):
            length, width = shape[1], shape[2]
            total += 2 * length * length * width
    return total


def predict_in_chunks(model, token_ids):
    """Run ``model`` for inference over ``token_ids``; return a float32 array.

    Every forward pass gets exactly ``prediction_rows(model)`` rows: the
    last chunk is completed with rows of padding (id 0), whose outputs are
    dropped. So every row of every call goes through TensorFlow's kernels
    in a tensor of the same shape, and its result does not depend on the
    other rows, on their number or on its place among them (scikit-learn's
    ``check_methods_sample_order_invariance`` and
    ``check_methods_subset_invariance``), on any CPU and with or without
    oneDNN (``TF_ENABLE_ONEDNN_OPTS``). Why it takes a fixed shape: how a
    matrix product splits its work between threads and cache blocks, and so
    the order of its sums, depends on the row count (Eigen, TensorFlow's
    CPU kernels without oneDNN, splits the inner dimension between threads
    when the rows are few), a single row takes a matrix-vector product of
    its own, and elementwise kernels leave the last few values of a tensor
    whose size is not a multiple of the SIMD width to a scalar loop that
    rounds differently. Within a chunk, the softmax layers' result for a
    row is independent of its place (:func:`batch_invariant_softmax`), as
    the layer normalisation's is (``BatchInvariantLayerNormalization``).

    The model is called eagerly, chunk by chunk: ``model.predict`` builds a
    data pipeline on every call (about 35 ms here), and
    ``predict_on_batch`` traces a ``tf.function`` for every new model and
    input shape (50-500 ms), which a search or cross-validation would pay
    for each fold, with TensorFlow's retracing warnings on top.
    """
    n_rows = len(token_ids)
    rows = prediction_rows(model)
    missing = -n_rows % rows
    if missing or n_rows == 0:
        padding = np.zeros((missing or rows, token_ids.shape[1]), token_ids.dtype)
        token_ids = np.concatenate([token_ids, padding])
    output = np.concatenate(
        [
            keras.ops.convert_to_numpy(
                model(token_ids[start : start + rows], training=False)
            )
            for start in range(0, len(token_ids), rows)
        ]
    )
    return output[:n_rows]
