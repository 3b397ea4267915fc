"""Custom Keras layers of sk_embed's networks, free of any scikit-learn plumbing.

Masked pooling, bags of embeddings, the Transformer's parts (padding mask,
position embedding, masked attention) and the softmax and layer
normalisation whose result for a row ignores the rest of the batch. Each is
registered with Keras under the package name "sk_embed", which saved models
record: keep the package and class names, or old models stop loading.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ._optimizers import gather_rows, mark_distinct_gradient_rows

#: Large negative score of padding keys: their attention weight is exactly 0.
MASKED_SCORE = -1e9
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
        # Padding positions sink far below any value (real positions get
        # exactly their own, plus -0.0), so the maximum and its gradient are
        # those of the real positions: an add and a multiply where a select
        # with a gradient of two more selects cost a fifth of a convolution's
        # training step.
        largest = np.finfo(keras.backend.standardize_dtype(inputs.dtype)).max
        masked = inputs + (weights - 1.0) * largest
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
        # One slice per distinct id of a batch (see call): LazyAdam need
        # not look for repeated rows.
        mark_distinct_gradient_rows(self.embeddings)

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
        # Looked up as int64: given the unique ids themselves, TensorFlow's
        # graph optimizer rewrites the lookup and pooling into a pooling
        # over a read of the whole table, and once an optimizer has updated
        # rows in place, every read copies the table (about 5 ms of an
        # IMDB training step).
        vectors = gather_rows(self.embeddings, tf.cast(distinct_ids, "int64"))
        # Empty rows (padding only) get zeros.
        if self.mode == "max":
            largest = tf.math.unsorted_segment_max(
                tf.gather(vectors, slot_of), row_of, num_segments=n_rows
            )
            # An empty row's maximum is the lowest float: give it zeros.
            return tf.where(tf.reduce_any(real, axis=1, keepdims=True), largest, 0.0)
        counts = tf.math.count_nonzero(real, axis=1)
        return _weighted_bag(vectors, slot_of, row_of, counts, self.mode)

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


def _weighted_bag(vectors, slot_of, row_of, counts, mode):
    """Each row's sum of ``vectors[slot_of]`` over its positions, divided by
    the row's count of them ("average") or its square root ("sqrtn").

    The same result and gradient as TensorFlow's sparse segment mean and
    sqrt-n, to the bit, but its gradient is a product of a sparse and a
    dense matrix (the positions' weights, transposed, times the output's
    gradient): on an IMDB batch, TensorFlow's own gradient of those ops
    (SparseSegmentSqrtNGrad) took 16 ms of a 48 ms training step, the
    product 9 ms.
    """
    n_rows = tf.shape(counts)[0]
    reduce = tf.sparse.segment_mean if mode == "average" else tf.sparse.segment_sqrt_n

    @tf.custom_gradient
    def pool(vectors):
        def gradient(upstream):
            # Each position's weight, in double precision then rounded, as
            # TensorFlow's gradient kernel computes it.
            counts_ = tf.maximum(tf.cast(counts, tf.float64), 1.0)
            scale = 1.0 / (counts_ if mode == "average" else tf.sqrt(counts_))
            weights = tf.SparseTensor(
                tf.stack([row_of, tf.cast(slot_of, tf.int64)], axis=1),
                tf.gather(tf.cast(scale, upstream.dtype), row_of),
                tf.cast(tf.stack([n_rows, tf.shape(vectors)[0]]), tf.int64),
            )
            return tf.sparse.sparse_dense_matmul(weights, upstream, adjoint_a=True)

        return reduce(vectors, slot_of, row_of, num_segments=n_rows), gradient

    return pool(vectors)


@keras.saving.register_keras_serializable(package="sk_embed")
class RowLookupEmbedding(layers.Embedding):
    """Keras' ``Embedding``, looking up its rows in the table variable itself.

    Why: Keras' ``Embedding`` gathers from the value of its table, and once
    an optimizer has updated rows of a variable in place, TensorFlow copies
    the whole variable on every read of its value. A training step of a
    convolution over CR's sentences (72,000 n-grams of 16 numbers) read
    the table twice, copying it each time: 250 ms of a 1.6 s fit. The same
    rows are gathered from the variable (a ``ResourceGather``): the same
    numbers, at the cost of the rows used.
    """

    def call(self, inputs):
        if inputs.dtype not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        return gather_rows(self.embeddings, inputs)


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
        # Static shapes where the padded length is fixed (a network's): no
        # shape ops to trace. A shared trainer's length is open.
        length, width = projections.shape[1], projections.shape[2] // 3
        if length is None:
            length = ops.shape(projections)[1]
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

