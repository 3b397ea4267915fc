"""A ready-made text classification pipeline with strong defaults."""

from sklearn.pipeline import make_pipeline

from ._classifier import SequenceEmbeddingClassifier
from .text import PadTransformer, SequenceTokenizer

__all__ = ["make_text_classifier"]

#: The tokenizer's ``ngram_range`` when a character analyzer is asked for and
#: no range is: character 2- to 5-grams, as TF-IDF peers on characters use.
#: On held-out training rows of CR, SST-2 and MPQA, (2, 5) was the best on
#: average of (1, 5), (2, 5), (2, 6) and (3, 5) with ``analyzer="char_wb"``.
CHARACTER_NGRAM_RANGE = (2, 5)


def _default_steps():
    """Fresh default steps: no two pipelines share an estimator."""
    return [
        SequenceTokenizer(num_words=600_000, ngram_range=(1, 3), binary=True),
        PadTransformer(maxlen="auto", padding="post", truncating="post"),
        SequenceEmbeddingClassifier(
            embedding_dim="auto",
            hidden_units=(),
            pooling="sqrtn",
            dropout="auto",
            optimizer="lazy_adam",
            learning_rate=0.006,
            epochs="auto",
            batch_size="auto",
        ),
    ]


def make_text_classifier(**params):
    """Build an unfitted text classification pipeline with strong defaults.

    The pipeline is ``SequenceTokenizer -> PadTransformer ->
    SequenceEmbeddingClassifier``, configured as a fastText-style model: a
    bag of word, bigram and trigram embeddings, summed over the text and
    divided by the square root of their number (``pooling="sqrtn"``, padding
    ignored) and fed to a linear softmax / sigmoid layer (one
    sigmoid per label for a multi-label indicator matrix ``y``). Each
    distinct n-gram counts once per text (``binary=True``), as in NBSVM's
    binarized features. The network looks up only the real ids of each text
    and trains with ``optimizer="lazy_adam"``, Adam computed only on the
    embedding rows a batch uses, for a few epochs over all the training
    rows (four at most, as fastText trains for a fixed few, and fewer when
    held-out rows say so). It suits document
    classification (reviews, articles) as well as short sentences, two
    classes as well as a hundred, and multi-label targets.

    The network's width follows the number of classes:
    ``embedding_dim="auto"`` gives at least two numbers per output unit, a
    power of two from 16 to 128 (16 up to eight classes, 64 for 20 classes,
    128 from 33 classes or labels on). The output layer is linear in those
    numbers, so its logits have rank at most their number, and dropout
    hides some of them at each step: with 16, Banking77's 77 intents were
    7 points below TF-IDF + logistic regression on held-out training rows;
    with 128 they are level with it or above.

    The training budget follows the data: ``batch_size="auto"`` makes each
    epoch about 50 optimizer steps (the power of two nearest
    ``n_samples / 50``, between 32 and 512), so the four epochs are about
    200 updates on 3,000 sentences as on 25,000 reviews. A fixed batch of
    512 would give 3,000 rows 24 updates, too few to fit them: on the
    training parts of five short-text sets (Subj, CR, MPQA, SST-2, SST-5),
    scored on held-out training rows, it lost up to 7.4 points to TF-IDF +
    logistic regression, where this rule is level with it or above. From
    about 18,000 rows on, the rule gives the batch of 512 tuned on IMDB.

    Four epochs are the most, not a fixed count: given class labels and
    1,000 rows or more, ``epochs="auto"`` holds out a stratified tenth of
    the rows, trains on the others one epoch at a time until the held-out
    log-loss stops falling (an epoch without improvement), and then trains
    anew on every row for the epochs of the lowest loss. Noisy labels and
    large sets, where a batch of 512 makes an epoch more than 50 steps, are
    over-trained by four epochs: on held-out training rows it chose 2
    epochs on the last sentences of 40,000 IMDB reviews (1.0 points more
    accurate with their two sentiments, 2.9 with their eight ratings), 2
    or 3 on SST-5 (1.1 points), 3 or 4 on CR and MPQA, and kept 4 on Subj,
    SST-2 and Banking77. It costs up to 0.9 x 4 epochs more, so sets of
    more than 5 million token ids in all (IMDB's 25,000 reviews hold 9.8
    million, where it kept 4) train the four epochs without it.
    ``held_out_loss_`` records the losses it chose on.

    Several classes take less dropout: ``dropout="auto"`` is 0.5 for a
    binary target (one output unit), as tuned on two-class sets, and 0.25
    for several classes or labels, which was up to 1.2 points better on
    held-out training rows of short sets of 3 to 6 classes, where the
    default was below the linear peer. A multi-label indicator matrix
    starts each label's output at the label's share of the training rows
    rather than at 0.5, and if its labels are rare it trains longer:
    ``epochs="auto"`` is 4, but for labels of fewer than about 180 positive
    rows each, the power of two nearest 1024 over their mean number, up to
    32. A class is the argmax of the outputs, which a cautious model still
    gets right; a label is a one-vs-rest decision, predicted only when its
    probability passes 0.5. Four epochs from outputs of 0.5 left every label
    of NLU++ banking (about 80 positive turns each) at its base rate,
    predicting none; starting from the base rates, with 16 epochs, it is
    about 6 points of micro-F1 above one logistic regression per label. The
    fitted classifier records the values used in ``embedding_dim_``,
    ``epochs_``, ``dropout_`` and ``batch_size_``.

    Texts in Chinese, Japanese, Thai and the other scripts written without
    spaces between words are split into letters by the tokenizer's default
    pattern, so that its n-grams are character n-grams there and word
    n-grams elsewhere. ``analyzer="char_wb"`` makes every token a
    character n-gram inside a word, 2 to 5 characters long unless
    ``ngram_range`` is given, for noisy text (tweets, misspellings); on
    clean English sentences it was 0.2 to 2 points below the default on
    held-out rows, and on MPQA's short phrases 0.4 above.

    Parameters
    ----------
    **params : dict
        Overrides of the default step parameters. Use the pipeline syntax
        ``step__param=value`` (step names ``sequencetokenizer``,
        ``padtransformer`` and ``sequenceembeddingclassifier``), or a plain
        parameter name such as ``epochs``, ``num_words`` or ``maxlen`` when
        exactly one step has a parameter of that name.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        The unfitted pipeline. Its defaults are:

        - ``sequencetokenizer``: ``num_words=600000, ngram_range=(1, 3),
          binary=True``;
        - ``padtransformer``: ``maxlen="auto", padding="post",
          truncating="post"``: rows as long as the longest training
          text's ids, at most 1,200;
        - ``sequenceembeddingclassifier``: ``pooling="sqrtn",
          hidden_units=(), embedding_dim="auto", dropout="auto",
          optimizer="lazy_adam", learning_rate=0.006, epochs="auto",
          batch_size="auto"``: for a binary target, width 16, dropout
          0.5 and up to four epochs of about 50 steps each over every
          training row, fewer when the log-loss of held-out rows says so
          (up to 32 epochs for a multi-label target of rare labels),
          without a validation split of the final fit or early stopping.

    Raises
    ------
    TypeError
        If a parameter name is unknown, or a plain name is ambiguous
        (several steps have it).

    Examples
    --------
    >>> from sk_embed import make_text_classifier
    >>> texts = ["a great film", "awful plot", "great acting", "awful film"] * 5
    >>> labels = ["pos", "neg", "pos", "neg"] * 5
    >>> clf = make_text_classifier(epochs=30, learning_rate=0.05, random_state=0)
    >>> [name for name, _ in clf.steps]
    ['sequencetokenizer', 'padtransformer', 'sequenceembeddingclassifier']
    >>> clf.fit(texts, labels).predict(["great", "awful"]).tolist()
    ['pos', 'neg']
    """
    steps = _default_steps()
    pipeline = make_pipeline(*steps)
    step_params = {name: step.get_params(deep=False) for name, step in pipeline.steps}

    resolved = {}
    for key, value in params.items():
        if "__" in key:
            step_name, _, param = key.partition("__")
            if step_name not in step_params:
                raise TypeError(
                    f"make_text_classifier() got an unknown parameter {key!r}: no "
                    f"step named {step_name!r}; steps are {sorted(step_params)}."
                )
            if param not in step_params[step_name]:
                raise TypeError(
                    f"make_text_classifier() got an unknown parameter {key!r}: "
                    f"step {step_name!r} has no parameter {param!r}."
                )
            full = key
        else:
            owners = [name for name, p in step_params.items() if key in p]
            if not owners:
                raise TypeError(
                    f"make_text_classifier() got an unknown parameter {key!r}. "
                    "Pass a parameter of one of the steps, either plainly or "
                    f"as 'step__param' with a step in {sorted(step_params)}."
                )
            if len(owners) > 1:
                raise TypeError(
                    f"make_text_classifier() got an ambiguous parameter {key!r}: "
                    f"steps {owners} all have it; use 'step__{key}'."
                )
            full = f"{owners[0]}__{key}"
        if full in resolved:
            raise TypeError(
                f"make_text_classifier() got parameter {full!r} more than once."
            )
        resolved[full] = value

    analyzer = resolved.get("sequencetokenizer__analyzer", "word")
    if analyzer in ("char", "char_wb"):
        # Word 1- to 3-grams would be character 1- to 3-grams here.
        resolved.setdefault("sequencetokenizer__ngram_range", CHARACTER_NGRAM_RANGE)
    pipeline.set_params(**resolved)
    return pipeline
