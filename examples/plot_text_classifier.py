"""
make_text_classifier against TF-IDF + logistic regression
=========================================================

:func:`sk_embed.make_text_classifier` builds a fastText-style pipeline from
raw text: word and word-bigram embeddings, averaged over each review and fed
to a linear output layer, trained until the loss on a held-out validation
split stops improving. This script fits it on the IMDB training reviews next
to the usual strong baseline for the task, TF-IDF on words and bigrams with a
logistic regression, and prints the test accuracy and fit time of both.

Run it with the data in ``$SK_EMBED_DATA`` (or ``--data-home``)::

    python examples/plot_text_classifier.py --data-home ../shared/data

On all 25,000 training and 25,000 test reviews the script takes under two
minutes on two CPU cores; ``--n-samples 5000`` gives a quicker run on fewer
reviews.
"""

# %%
# Load the reviews
# ----------------
# Both splits are shuffled with a fixed seed: the archive lists every
# negative review before the positive ones, so the first ``--n-samples``
# reviews of an unshuffled split would all be negative.
import argparse
import os
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sk_embed import make_text_classifier
from sk_embed.datasets import fetch_imdb


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="make_text_classifier against TF-IDF + logistic regression."
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
        "--epochs",
        type=int,
        default=None,
        help="most epochs of the neural model (default: its own)",
    )
    # sphinx-gallery runs the script with its own argv: ignore what is unknown.
    args, _ = parser.parse_known_args(argv)
    return args


def load(data_home, n_samples):
    """Return shuffled ``(texts, labels)`` of the train and test splits.

    Each keeps its first ``n_samples`` reviews (all of them when None).
    """
    try:
        splits = [
            fetch_imdb(subset=subset, data_home=data_home, shuffle=True, random_state=0)
            for subset in ("train", "test")
        ]
    except OSError as error:
        sys.exit(f"Cannot run the IMDB example: {error}")
    return [(split.data[:n_samples], split.target[:n_samples]) for split in splits]


# %%
# The two models
# --------------
# ``make_text_classifier`` takes overrides of its steps' parameters by plain
# name when only one step has it, here ``random_state`` and ``epochs`` of the
# classifier. The peer is the classic linear model on sparse n-gram counts.
def models(epochs):
    overrides = {"random_state": 0}
    if epochs is not None:
        overrides["epochs"] = epochs
    return {
        "make_text_classifier()": make_text_classifier(**overrides),
        "TF-IDF(1,2) + LogisticRegression": make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(max_iter=1000),
        ),
    }


# %%
# Fit and score
# -------------
# Fit times are wall-clock seconds; the neural model's include its early
# stopping on 10% of the training reviews.
def fit_and_score(model, train, test):
    """Return the test accuracy and the fit time in seconds."""
    start = time.perf_counter()
    model.fit(*train)
    fit_seconds = time.perf_counter() - start
    return model.score(*test), fit_seconds


def main(argv=None):
    """Fit both models and print their test accuracy and fit time.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; None reads ``sys.argv``.

    Returns
    -------
    results : dict of str to tuple of (float, float)
        The test accuracy and the fit time in seconds of each model.
    """
    args = parse_args(argv)
    train, test = load(args.data_home, args.n_samples)
    print(f"{len(train[0])} training and {len(test[0])} test reviews\n")
    print(f"{'model':<34} {'test accuracy':>13} {'fit s':>7}")
    results = {}
    for name, model in models(args.epochs).items():
        accuracy, fit_seconds = fit_and_score(model, train, test)
        results[name] = (accuracy, fit_seconds)
        print(f"{name:<34} {accuracy:>13.4f} {fit_seconds:>7.1f}", flush=True)
    return results


if __name__ == "__main__":
    main()
