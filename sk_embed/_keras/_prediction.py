"""Prediction in chunks of fixed shapes, so that a row's output ignores the
rest of the batch."""

import numpy as np
import tensorflow as tf
from keras import layers

from ._layers import EmbeddingBag, MaskedMultiHeadAttention, PositionEmbedding
from ._startup import consume_onednn_bool_notice

#: Most and fewest rows of one forward pass at prediction time (see
#: ``predict_in_chunks``). The fewest is a multiple of every SIMD width, so
#: no element of a chunk's tensors is left to a scalar loop.
PREDICT_MAX_ROWS = 1024
PREDICT_MIN_ROWS = 16
#: About how many multiply-adds one prediction chunk may cost (0.1 s on 2
#: cores with oneDNN, up to 0.5 s without): the seed network gets chunks of
#: 1,024 rows, a 1-D convolution of 64 filters over 400 tokens chunks of
#: 512, a Transformer block 32 wide over 400 tokens chunks of 128. Smaller
#: chunks would predict many rows slower: a recurrent layer, for one, costs
#: about as much per time step whatever the rows.
PREDICT_CHUNK_WORK = 2**31
#: Attribute of a Keras model holding its traced forward passes, by shape.
_FORWARD_ATTRIBUTE = "_sk_embed_forward_passes"


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

    Every forward pass gets exactly ``prediction_rows(model)`` rows, or
    ``PREDICT_MIN_ROWS`` when there are no more than that in all (a web
    service's or an explainer's few texts, for which a traced chunk of
    1,024 rows costs about 10 times more): the last chunk is completed with rows
    of padding (id 0), whose outputs are dropped. So every row of every call
    goes through TensorFlow's kernels in a tensor of one of two shapes, and
    its result does not depend on the other rows, on their number or on its
    place among them (scikit-learn's ``check_methods_sample_order_invariance``
    and ``check_methods_subset_invariance``), with or without oneDNN
    (``TF_ENABLE_ONEDNN_OPTS``). That the two shapes agree to the bit is
    checked, not derived: ``tests/test_kernel_paths.py`` compares a row
    predicted alone, in the small chunk, with the same row among 1,100, in
    the large ones, for every network configuration on both kernel paths
    (they also passed with ``TF_NUM_INTRAOP_THREADS=32``, as a 32-core
    machine splits its work). Why fixed shapes: how a matrix product
    splits its work between threads and cache blocks, and so the order of
    its sums, depends on the row count
    (Eigen, TensorFlow's CPU kernels without oneDNN, splits the inner
    dimension between threads when the rows are few), a single row takes a
    matrix-vector product of its own, and elementwise kernels leave the
    last few values of a tensor whose size is not a multiple of the SIMD
    width to a scalar loop that rounds differently. Within a chunk, the
    softmax layers' result for a row is independent of its place
    (:func:`batch_invariant_softmax`), as the layer normalisation's is
    (``BatchInvariantLayerNormalization``).

    Each chunk shape of each model runs one traced ``tf.function``
    (:func:`_forward_pass`), never the eager model: an eager call costs
    about 1.5 ms per layer besides the arithmetic, the traced one a tenth
    of that, and TensorFlow's graph optimizer may fuse operations (a matrix
    product and its bias, with oneDNN) into kernels that round differently
    from the eager ones, so one model must not mix the two. Tracing costs
    50-500 ms once per model and shape, where ``model.predict`` would build
    a data pipeline on every call (about 35 ms here).
    """
    n_rows = len(token_ids)
    # A few rows need not walk the layers to size the large chunks.
    rows = PREDICT_MIN_ROWS if n_rows <= PREDICT_MIN_ROWS else prediction_rows(model)
    missing = -n_rows % rows
    if missing or n_rows == 0:
        padding = np.zeros((missing or rows, token_ids.shape[1]), token_ids.dtype)
        token_ids = np.concatenate([token_ids, padding])
    forward = _forward_pass(model, (rows, token_ids.shape[1]), token_ids.dtype)
    output = np.concatenate(
        [
            forward(tf.convert_to_tensor(token_ids[start : start + rows])).numpy()
            for start in range(0, len(token_ids), rows)
        ]
    )
    return output[:n_rows]


class _Inference:
    """``model(token_ids, training=False)``, as an object of its own.

    TensorFlow counts the traces of a ``tf.function`` by its Python
    function's code, and warns about "retracing" once five functions of
    the same code traced recently: a search over many models would trigger
    it. An object without ``__code__`` is counted by itself, so each
    model's passes count apart, each traced once.
    """

    def __init__(self, model):
        self.model = model

    def __call__(self, token_ids):
        return self.model(token_ids, training=False)


def _forward_pass(model, shape, dtype):
    """The traced inference of ``model`` on inputs of one ``shape``, kept.

    Kept on the model itself, so that it lives and dies with the weights it
    reads (a refit builds a new model); set with ``object.__setattr__``,
    out of sight of Keras' attribute tracking.
    """
    passes = model.__dict__.get(_FORWARD_ATTRIBUTE)
    if passes is None:
        passes = {}
        object.__setattr__(model, _FORWARD_ATTRIBUTE, passes)
    key = (shape, np.dtype(dtype).str)
    if key not in passes:
        # A model loaded from a pickle may predict before any fit spent
        # TensorFlow's boolean notice (see consume_onednn_bool_notice).
        consume_onednn_bool_notice()
        # The concrete function of the one signature: calling it skips the
        # matching of arguments to signatures (0.1 ms of a 0.4 ms call).
        passes[key] = tf.function(
            _Inference(model),
            input_signature=[tf.TensorSpec(shape, tf.as_dtype(dtype))],
            autograph=False,
        ).get_concrete_function()
    return passes[key]
