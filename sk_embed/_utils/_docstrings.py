"""Parameter text shared by several docstrings.

Written once and filled into the classifier and the regressor, the two
tokenizers, and the functions that inspect a fitted pipeline, so that they
never drift apart.
"""

import re
import textwrap

_SHARED = {
    "text_parameters": """\
    lowercase : bool, default=True
        Convert the texts to lowercase before tokenizing. Ignored when
        ``preprocessor`` is given.

    token_pattern : str, default=DEFAULT_TOKEN_PATTERN
        Regular expression matching a word. The default keeps one-character
        words ("i", "a", the "7" of "7/10") and words with inner apostrophes
        ("don't", "isn't") whole, which matter for sentiment; CountVectorizer's
        default ``r"(?u)\\b\\w\\w+\\b"`` would drop the former and cut the
        latter into "don". In the scripts written without spaces between
        words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar), it makes each
        letter a word, as multilingual tokenizers do, so that word n-grams
        are character n-grams there; elsewhere it is ``r"\\w+(?:'\\w+)*"``.
        If the pattern has one capturing group, the group is the token. More
        than one group is an error. Used by ``analyzer="word"`` when
        ``tokenizer`` is None.

    preprocessor : callable, default=None
        Function applied to each raw text before tokenizing, replacing the
        default preprocessing (removal of the HTML line breaks ``<br />``,
        ``<br/>`` and ``<br>`` that IMDB reviews contain, then lowercasing if
        ``lowercase``), as in CountVectorizer. It must return a ``str``.

    tokenizer : callable, default=None
        Function that splits a preprocessed text into its list of words,
        replacing ``token_pattern``, as in CountVectorizer: a segmenter for
        a language without spaces (jieba's ``lcut``, a MeCab wrapper), for
        example. Word n-grams are then made of its words. Used by
        ``analyzer="word"`` only. Define it at a module's top level (not as
        a lambda) for the tokenizer to pickle.

    analyzer : {"word", "char", "char_wb"} or callable, default="word"
        What the tokens are, as in CountVectorizer: words and word n-grams
        ("word"); character n-grams of the whole text, with runs of white
        space counted as one space ("char"); or character n-grams inside
        each word, padded with a space on each side ("char_wb", for noisy
        text such as tweets, where spellings vary). With "char" and
        "char_wb", ``ngram_range`` counts characters. A callable gets each
        raw text (no preprocessing) and returns its list of tokens, and
        ``ngram_range`` is ignored.""",
    "model_parameters": """\
    vocab_size : int, default=None
        Number of token ids the model knows, ``0 .. vocab_size - 1``. If None,
        it is ``max(X) + 1`` on the training data (or the number of rows of
        ``embeddings``), stored as ``vocab_size_``. Larger ids, at fit or at
        predict, share one extra out-of-vocabulary embedding row: they never
        raise and never wrap around. A table too large for this machine's
        memory (training holds four copies of it) raises a ``ValueError``
        before anything is allocated; see :ref:`large_vocabularies`.
    embedding_dim : int or "auto", default=8
        Size of each word vector. "auto" follows the output layer: the
        smallest power of two of at least twice its units, from 16 to 128
        (16 for up to eight classes, 128 from 33 classes or labels on), as
        the logits' rank is at most this width. Ignored when ``embeddings``
        is given, whose width is used. The value used is
        ``embedding_dim_``.
    hidden_units : tuple of int, default=(32,)
        Widths of the ReLU ``Dense`` layers between the pooling and the
        output. ``()`` puts the output layer right after the pooling.
    pooling : {"flatten", "average", "sqrtn", "max"}, default="flatten"
        How the sequence of vectors becomes one vector. "flatten" (the seed
        model) concatenates the positions; "average", "sqrtn" (the sum
        divided by the square root of the number of tokens) and "max" pool
        over the positions that are not padding, so a row's result does not
        depend on how much padding it has.
    encoder : {None, "conv1d", "lstm", "gru", "transformer"}, default=None
        A sequence layer between the embedding and the pooling: a 1-D
        convolution (windows of 5 tokens, ReLU), a recurrent layer that
        skips padding, or Transformer blocks (learned position embeddings,
        then multi-head self-attention over the non-padding tokens and a
        feed-forward layer, each with a residual connection and layer
        normalization).
    encoder_units : int, default=32
        Filters of the convolution, units of the recurrent layer, or width
        of the Transformer blocks' feed-forward layers.
    bidirectional : bool, default=False
        Run the recurrent encoder in both directions ("lstm" and "gru" only).
    transformer_blocks : int, default=1
        Number of Transformer blocks ("transformer" only).
    attention_heads : int, default=2
        Attention heads of each Transformer block ("transformer" only). Each
        head attends in ``ceil(embedding_dim / attention_heads)``
        dimensions.
    dropout : float or "auto", default=0.0
        Dropout rate after the pooling and after each hidden layer, and, in
        the Transformer encoder, on the sum of the token and position
        embeddings and on each block's attention and feed-forward outputs.
        "auto" is 0.5 for a network of one output unit (a binary target),
        0.25 for several (classes or labels; see
        :func:`make_text_classifier`). The value used is ``dropout_``.
    embeddings : array-like of shape (vocab_size, embedding_dim), default=None
        Initial word vectors, for example from :func:`load_word_vectors`. The
        out-of-vocabulary row starts at zero.
    trainable_embeddings : bool, default=True
        Whether training updates the embedding table. False keeps pretrained
        vectors fixed.""",
    "training_parameters": """\
    optimizer : str, keras.optimizers.Optimizer or its class, default="rmsprop"
        The Keras optimizer: a Keras name such as "rmsprop" or "adam", or
        "lazy_adam", sk_embed's Adam that computes only the embedding rows a
        batch uses and catches the others up later, with Adam's result (for
        ``encoder=None`` with average or max pooling, whose embedding
        gradient is sparse). An instance is copied (through its
        config) for every fit, so clones never share optimizer state.
    epochs : int or "auto", default=10
        Number of passes over the training data in ``fit``
        (``partial_fit`` makes one pass over its batch). "auto" is 4; for a
        multi-label target, up to 32 when its labels are rare (the power of
        two nearest 1024 over the mean number of positive rows per label;
        see :func:`make_text_classifier`). A classifier of class labels
        given 1,000 rows or more (and at most 5 million token ids) chooses
        at most 4 on held-out rows: it
        holds out a stratified tenth of them, trains on the others until
        their log-loss stops falling, and trains anew on every row for the
        epochs of the lowest loss. The value used is ``epochs_``.
    batch_size : int or "auto", default=32
        Number of samples per gradient update. "auto" follows the data: the
        power of two nearest ``n_samples / 50``, between 32 and 512, so that
        an epoch is about 50 updates whatever the number of rows (a fixed
        batch gives a few thousand rows too few updates to fit them, or a
        large data set too many slow ones); 512 from about 18,000 rows on,
        and in ``partial_fit``, whose stream has no known size. The value
        used is ``batch_size_``.
    validation_split : float, default=0.0
        Fraction of the training data held out to report ``val_`` metrics
        in ``history_`` and to drive callbacks such as ``EarlyStopping``.
        The rows are drawn at random from ``random_state`` (stratified by
        class for a classifier, unless the target is multi-label), as in
        ``MLPClassifier(early_stopping=True)``, not the last rows as in
        Keras: the order of the training rows does not decide what is held
        out.""",
    "run_parameters": """\
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks passed to ``model.fit``.
    steps_per_execution : int, default=32
        Batches run per TensorFlow call. The results are those of one batch
        per call; for small models most of the time per batch is framework
        overhead, which this divides. 1 matches Keras' default.
    verbose : int, default=0
        Keras' progress output: 0 silent, 1 progress bar, 2 one line per
        epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the dropout masks and the order of the
        training batches. An int makes fits reproducible without changing
        NumPy's, Python's or TensorFlow's global random state.""",
    "fitted_attributes": """\
    vocab_size_ : int
        The vocabulary size of the model (``vocab_size`` or inferred).
    n_features_in_ : int
        Length of the padded sequences seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of the training DataFrame, when it had string column
        names.
    batch_size_ : int
        The batch size training used: ``batch_size``, or the number
        "auto" chose.
    embedding_dim_ : int
        The width of the word vectors: ``embedding_dim``, the number
        "auto" chose, or the width of ``embeddings``.
    epochs_ : int
        The epochs of :meth:`fit`: ``epochs``, or the number "auto" chose.
        Not set by ``partial_fit``.
    held_out_loss_ : list of float or None
        When ``epochs="auto"`` chose the epochs on held-out rows, the
        held-out log-loss after each epoch of that choice (the lowest gave
        ``epochs_``); None otherwise. Not set by ``partial_fit``.
    dropout_ : float
        The dropout rate of the network: ``dropout``, or the rate "auto"
        chose.
    model_ : keras.Model
        The trained Keras model.
    history_ : dict of str to list of float
        Per-epoch training metrics, with ``val_`` entries when
        ``validation_split`` is set. Each ``partial_fit`` call adds one
        epoch.""",
    "partial_fit_X": """\
    X : array-like of shape (n_samples, sequence_length)
        Padded token ids (non-negative integers). Ids at or above
        ``vocab_size_`` share the out-of-vocabulary row, as at predict
        time; set ``vocab_size`` for a stream, or the first batch's
        largest id fixes it.""",
    "partial_fit_notes": """\
    ``history_`` gains one entry per call, and ``random_state`` makes a
    sequence of calls reproducible. ``validation_split`` holds out that
    fraction of each batch, as :meth:`fit` does of its data. See
    :ref:`streaming`.""",
    "inspected_pipeline": """\
    model : Pipeline
        A fitted pipeline holding a :class:`~sk_embed.SequenceTokenizer` and
        a :class:`~sk_embed.SequenceEmbeddingClassifier` or
        :class:`~sk_embed.SequenceEmbeddingRegressor`, such as
        :func:`~sk_embed.make_text_classifier` returns.""",
    "inspected_pipeline_errors": """\
    TypeError
        If ``model`` is not a pipeline with a tokenizer and an embedding
        estimator.
    sklearn.exceptions.NotFittedError
        If the pipeline is not fitted.""",
}

#: A line holding only ``%(name)s``, and its indentation.
_PLACEHOLDER = re.compile(r"^( *)%\((\w+)\)s$", re.MULTILINE)


def _fill(doc):
    return _PLACEHOLDER.sub(
        lambda match: textwrap.indent(
            textwrap.dedent(_SHARED[match[2]]), match[1]
        ),
        doc,
    )


def fill_doc(obj):
    """Replace each line ``%(name)s`` in the docstring of a class or function,
    and of a class's own methods, by the shared text ``name``, at that
    line's indentation."""
    obj.__doc__ = _fill(obj.__doc__)
    if isinstance(obj, type):
        for member in vars(obj).values():
            if callable(member) and member.__doc__:
                member.__doc__ = _fill(member.__doc__)
    return obj
