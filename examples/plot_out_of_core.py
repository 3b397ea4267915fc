"""
Out-of-core classification of movie reviews
===========================================

The counterpart of scikit-learn's out-of-core text classification example
(``HashingVectorizer`` and ``SGDClassifier.partial_fit`` over mini-batches of
documents) with an embedding model. The IMDB training reviews arrive as a
stream of chunks of 1,000; each chunk is tokenized by a
:class:`~sk_embed.HashingSequenceTokenizer`, which needs no vocabulary fitted
on all the texts first, padded to a fixed width by a
:class:`~sk_embed.PadTransformer`, and learnt by
:meth:`SequenceEmbeddingClassifier.partial_fit
<sk_embed.SequenceEmbeddingClassifier.partial_fit>`. Only one chunk's padded
matrix is in memory at a time, whatever the length of the stream.

The model is :func:`~sk_embed.make_text_classifier`'s: word, bigram and
trigram embeddings, each counted once per review, summed, divided by the
square root of their number and fed to a linear output layer, trained with
``lazy_adam``. The script reports the accuracy on
a fixed set of test reviews as the stream goes, plots it against the number
of reviews seen, and compares the streamed model with a ``fit`` of the same
model on the same reviews, with as many passes over them.

Run it with the data in ``$SK_EMBED_DATA`` (or ``--data-home``)::

    python examples/plot_out_of_core.py --data-home ../shared/data

``--n-samples 5000`` gives a quicker run on fewer reviews.
"""

# %%
# Load the reviews
# ----------------
# The training reviews are shuffled with a fixed seed: the archive lists every
# negative review before the positive ones, and a stream of one class at a
# time would teach the model nothing but that class. The test reviews are
# shuffled too, so that the first ``--eval-samples`` of them, scored as the
# stream goes, hold both classes.
import argparse
import os
import sys
import time

import numpy as np

from sklearn.base import clone

from sk_embed import HashingSequenceTokenizer, PadTransformer, make_text_classifier
from sk_embed.datasets import fetch_imdb


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Out-of-core classification of movie reviews with partial_fit."
    )
    parser.add_argument(
        "--data-home",
        default=os.environ.get("SK_EMBED_DATA"),
        help="folder with the IMDB data (default: $SK_EMBED_DATA)",
    )
    parser.add_argument(
        "--n-samples",
        type=int,
        default=None,
        help="use this many training and this many test reviews (default: all)",
    )
    parser.add_argument(
        "--epochs", type=int, default=2, help="passes over the stream (default: 2)"
    )
    parser.add_argument(
        "--chunk-size", type=int, default=1000, help="reviews per partial_fit call"
    )
    parser.add_argument(
        "--eval-every", type=int, default=5, help="chunks between two evaluations"
    )
    parser.add_argument(
        "--eval-samples",
        type=int,
        default=5000,
        help="test reviews scored as the stream goes (all of them at the end)",
    )
    parser.add_argument(
        "--n-buckets", type=int, default=2**20, help="hash buckets of the tokenizer"
    )
    parser.add_argument(
        "--figure",
        default="out_of_core_accuracy.png",
        help="where to save the accuracy curve (PNG)",
    )
    # sphinx-gallery runs the script with its own argv: ignore what is unknown.
    args, _ = parser.parse_known_args(argv)
    return args


def load(data_home, n_samples):
    """Return shuffled ``(texts, labels)`` of the train and test splits."""
    try:
        splits = [
            fetch_imdb(subset=subset, data_home=data_home, shuffle=True, random_state=0)
            for subset in ("train", "test")
        ]
    except OSError as error:
        sys.exit(f"Cannot run the IMDB example: {error}")
    return [(split.data[:n_samples], split.target[:n_samples]) for split in splits]


# %%
# The stream
# ----------
# A generator of chunks stands for any source read piece by piece: files,
# a database cursor, a message queue. Here it walks the loaded reviews, as
# the reviews themselves (65 MB of text) fit in memory; the padded matrix of
# all of them is what the stream avoids building.
def iter_chunks(texts, labels, chunk_size):
    for start in range(0, len(texts), chunk_size):
        stop = start + chunk_size
        yield texts[start:stop], labels[start:stop]


# %%
# The model
# ---------
# The hashing tokenizer gives every chunk the same ids, in any order and any
# process, with no ``fit``. Its ``vocab_size`` (``n_buckets + 1``) is passed
# to the classifier, so that the embedding has a row for every bucket from the
# first call on. The padding keeps the first 1,200 ids of each review, as
# :func:`~sk_embed.make_text_classifier` does on IMDB (its ``maxlen="auto"``
# learns the length of the longest training review's ids, at most 1,200); a
# fixed width is what lets each chunk be padded on its own. The classifier is
# ``make_text_classifier``'s own, with as many epochs as passes over the
# stream.
MAXLEN = 1200


def make_steps(n_buckets, epochs):
    tokenizer = HashingSequenceTokenizer(
        n_buckets=n_buckets, ngram_range=(1, 3), binary=True
    )
    padder = PadTransformer(maxlen=MAXLEN, padding="post", truncating="post")
    classifier = clone(make_text_classifier()[-1]).set_params(
        vocab_size=tokenizer.vocab_size,
        epochs=epochs,
        random_state=0,
    )
    return tokenizer, padder, classifier


def encode(tokenizer, padder, texts):
    return padder.fit_transform(tokenizer.transform(texts))


# %%
# Learn from the stream
# ---------------------
# ``classes`` is passed on the first call, which builds the network: a chunk
# may lack a class, so the model must be told them all up front. Every
# ``--eval-every`` chunks the model scores the same test reviews, encoded
# once. The time reported is that of tokenizing, padding and training, the
# evaluations left out.
def stream(train, X_eval, y_eval, args):
    tokenizer, padder, classifier = make_steps(args.n_buckets, args.epochs)
    classes = np.unique(train[1])
    seen, curve, train_seconds = 0, [], 0.0
    print(f"\n{'pass':>4} {'reviews seen':>12} {'accuracy':>8} {'train s':>8}")
    for epoch in range(1, args.epochs + 1):
        chunks = iter_chunks(*train, args.chunk_size)
        for index, (texts, labels) in enumerate(chunks, 1):
            start = time.perf_counter()
            X = encode(tokenizer, padder, texts)
            classifier.partial_fit(X, labels, classes=classes)
            train_seconds += time.perf_counter() - start
            seen += len(texts)
            if index % args.eval_every == 0 or seen == epoch * len(train[0]):
                accuracy = classifier.score(X_eval, y_eval)
                curve.append((seen, accuracy))
                print(f"{epoch:4d} {seen:12d} {accuracy:8.4f} {train_seconds:8.1f}")
    return classifier, curve, train_seconds


# %%
# The same model, fitted in memory
# --------------------------------
# ``fit`` on the padded matrix of all the training reviews, for as many
# epochs as the stream made passes. Its time includes the tokenization, as
# the stream's does.
def fit_in_memory(train, args):
    tokenizer, padder, classifier = make_steps(args.n_buckets, args.epochs)
    start = time.perf_counter()
    classifier.fit(encode(tokenizer, padder, train[0]), train[1])
    return classifier, time.perf_counter() - start


# %%
# Accuracy as the stream goes
# ---------------------------
# The curve climbs over the first few thousand reviews, then flattens; the
# dashed line is the in-memory fit's accuracy on the same test reviews.
def save_figure(curve, reference, n_eval, path):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("Accuracy curve skipped: matplotlib is not installed.")
        return
    # A Figure, not pyplot: no global figure is left open.
    figure = Figure(figsize=(7, 4))
    ax = figure.subplots()
    seen, accuracy = zip(*curve)
    ax.plot(seen, accuracy, marker="o", markersize=3, label="partial_fit stream")
    ax.axhline(reference, color="grey", linestyle="--", label="fit in memory")
    ax.set_xlabel("training reviews seen")
    ax.set_ylabel(f"accuracy on {n_eval} test reviews")
    ax.set_title("Out-of-core learning on IMDB")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    print(f"Accuracy curve saved to {path}")


def main(argv=None):
    """Stream the training reviews through partial_fit, then fit in memory.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; None reads ``sys.argv``.

    Returns
    -------
    results : dict
        ``"curve"``: the ``(reviews seen, accuracy)`` pairs of the stream on
        the evaluation reviews; ``"stream"`` and ``"fit"``: the test
        accuracy and the time in seconds of the streamed and of the
        in-memory model.
    """
    args = parse_args(argv)
    train, test = load(args.data_home, args.n_samples)
    print(f"{len(train[0])} training and {len(test[0])} test reviews")
    tokenizer, padder, _ = make_steps(args.n_buckets, args.epochs)
    X_test = encode(tokenizer, padder, test[0])
    X_eval, y_eval = X_test[: args.eval_samples], test[1][: args.eval_samples]

    streamed, curve, stream_seconds = stream(train, X_eval, y_eval, args)
    fitted, fit_seconds = fit_in_memory(train, args)
    results = {
        "curve": curve,
        "stream": (streamed.score(X_test, test[1]), stream_seconds),
        "fit": (fitted.score(X_test, test[1]), fit_seconds),
    }
    print(f"\nAfter {args.epochs} pass(es) over {len(train[0])} training reviews:")
    print(f"{'model':<28} {'test accuracy':>13} {'seconds':>8}")
    names = {
        "stream": f"partial_fit, chunks of {args.chunk_size}",
        "fit": "fit in memory",
    }
    for key, name in names.items():
        accuracy, seconds = results[key]
        print(f"{name:<28} {accuracy:>13.4f} {seconds:>8.1f}")
    gap = results["fit"][0] - results["stream"][0]
    print(f"Difference (fit - stream): {100 * gap:+.2f} points")
    save_figure(curve, fitted.score(X_eval, y_eval), len(y_eval), args.figure)
    return results


if __name__ == "__main__":
    main()
