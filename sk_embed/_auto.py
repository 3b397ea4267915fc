"""The ``"auto"`` settings: training choices that follow the data a fit sees.

Each rule reads only what ``fit`` is given (the number of rows, the number of
output units, whether the target is a multi-label indicator matrix), never which
data set it is, and each was chosen on held-out *training* rows
(``benchmarks/bench_datasets.py --holdout``), never on a test score. The
estimators record the value used in an attribute ending in ``_``
(``batch_size_``, ``embedding_dim_``, ``epochs_``, ``dropout_``).
"""

import numpy as np

#: ``batch_size="auto"`` aims at about this many optimizer steps per epoch,
#: with a batch size between these bounds. A fixed number of epochs of a fixed
#: batch size gives a few thousand rows only a few dozen updates (four epochs
#: of 512 are 24 steps on 3,000 rows), too few to fit them; on 25,000 rows
#: the same rule gives the 512 tuned there.
AUTO_STEPS_PER_EPOCH = 50
AUTO_BATCH_SIZE_RANGE = (32, 512)

#: ``embedding_dim="auto"``: at least two numbers per output unit, as a
#: power of two between these bounds. The output layer is linear in the
#: pooled vector, so its logits have rank at most its width, and dropout
#: hides part of it at each training step: 16 numbers served two to eight
#: classes, and left Banking77's 77 intents 7 points below TF-IDF + logistic
#: regression on held-out training rows (with 128, level with it or above;
#: 20 intents gained 1 to 2 points with 64). The upper bound keeps the table
#: of a large vocabulary affordable.
AUTO_EMBEDDING_DIM_RANGE = (16, 128)

#: ``epochs="auto"``: four passes for class labels. A multi-label indicator
#: matrix gets as many more as it takes for a label of average frequency to
#: be seen about AUTO_LABEL_POSITIVES times as a positive, a power of two
#: of epochs up to AUTO_MAX_EPOCHS. Each label is a one-vs-rest decision,
#: predicted only when its probability passes 0.5, and a rare label needs
#: more passes over its few positive rows to get there. On held-out turns
#: of NLU++ banking (48 labels, about 60 positive turns each), with every
#: label's output starting at its base rate (the classifier's
#: ``_initial_output_bias``), 4, 8, 16 and 32 epochs were 3.9, 4.6, 4.9 and
#: 5.3 points above one logistic regression per label, on average over
#: three draws: 16 takes most of the gain in half the time of 32. Labels
#: with a few hundred positive rows each or more keep the four epochs.
AUTO_EPOCHS = 4
AUTO_MAX_EPOCHS = 32
AUTO_LABEL_POSITIVES = 1024

#: ``dropout="auto"``: the rate for a network of one output unit (a binary
#: target), then for several (classes or labels). 0.5 was tuned on two-class
#: sets; with several outputs, 0.25 was 0.2 to 1.2 points better on held-out
#: training rows of the short sets of 3 to 6 classes, where the default was
#: below TF-IDF + logistic regression, and 0.1 to 0.4 worse (within the
#: spread between draws) on 20 and 77 intents, where it was above.
AUTO_DROPOUT = (0.5, 0.25)


def resolve_batch_size(batch_size, n_samples):
    """Return the batch size to train ``n_samples`` rows with.

    ``"auto"`` is the power of two nearest ``n_samples / 50``, clipped to
    32 .. 512: about 50 steps per epoch whatever the data's size, and 512
    for a stream (``n_samples=None``), whose size is unknown.
    """
    if batch_size != "auto":
        return batch_size
    smallest, largest = AUTO_BATCH_SIZE_RANGE
    if n_samples is None:
        return largest
    exponent = round(np.log2(max(n_samples, 1) / AUTO_STEPS_PER_EPOCH))
    return int(np.clip(2**exponent, smallest, largest))


def resolve_embedding_dim(embedding_dim, n_outputs):
    """Return the width of the word vectors for ``n_outputs`` output units.

    ``"auto"`` is the smallest power of two of at least ``2 * n_outputs``,
    clipped to 16 .. 128: 16 for up to eight classes (a binary target has
    one output), 64 for 20 classes, 128 from 33 classes or labels on.
    """
    if embedding_dim != "auto":
        return embedding_dim
    smallest, largest = AUTO_EMBEDDING_DIM_RANGE
    width = 2 ** int(np.ceil(np.log2(2 * max(n_outputs, 1))))
    return int(np.clip(width, smallest, largest))


def resolve_epochs(epochs, positives_per_label=None):
    """Return the number of epochs of ``fit``.

    ``"auto"`` is 4 for class labels (``positives_per_label=None``). For a
    multi-label target, whose labels have ``positives_per_label`` positive
    rows on average, it is the power of two nearest ``1024 /
    positives_per_label``, clipped to 4 .. 32: 16 for labels of 80
    positive rows, 4 from about 180 on.
    """
    if epochs != "auto":
        return epochs
    if positives_per_label is None:
        return AUTO_EPOCHS
    exponent = round(np.log2(AUTO_LABEL_POSITIVES / max(positives_per_label, 1)))
    return int(np.clip(2**exponent, AUTO_EPOCHS, AUTO_MAX_EPOCHS))


def resolve_dropout(dropout, n_outputs):
    """Return the dropout rate: ``"auto"`` is 0.5 for one output unit (a
    binary target), 0.25 for several (classes or labels)."""
    if dropout != "auto":
        return dropout
    return AUTO_DROPOUT[n_outputs > 1]


#: Issue 36 experiments (temporary): set by benchmarks/exp36.py.
#: steps_target: epochs="auto" for class labels is clip(round(steps_target /
#: steps per epoch), 1, max_epochs); lr_decay: LazyAdam's rate decays
#: linearly to 0 over the fit's steps; average_from: the weights are the mean
#: of those after each epoch from this one (1-based) on; select: dict of
#: fraction, max_epochs, patience, metric ("loss" or "accuracy"): epochs
#: picked on an inner held-out split, then a refit on all rows.
EXPERIMENT = dict(
    steps_target=None, max_epochs=4, lr_decay=False, average_from=None, select=None
)
