"""Short texts: make_text_classifier() against TF-IDF + LogisticRegression.

Usage::

    python benchmarks/bench_short_texts.py [--data-home DIR] [--n-samples 10000]

Two short-text tasks built from the IMDB reviews (no other download), each
with ``--n-samples`` training and as many test texts, the test texts taken
from the test reviews:

- ``last sentence -> sentiment``: the last sentence of a review (often its
  verdict), labelled with the review's sentiment; 2 classes.
- ``last sentence -> rating``: the same sentences labelled with the
  review's rating out of 10 (1-4 and 7-10: 8 classes).

Sentences are cut at ".", "!" or "?" after removing the ``<br />`` line
breaks; sentences of fewer than four words are passed over, taking the one
before. Both models fit in the same process on the same texts; the table
shows accuracy, fit and predict seconds (tokenization included), and the
ratios of ours to the peer's.
"""

import argparse
import os
import re

import numpy as np
from bench_datasets import measure, peer  # the same peer and timing everywhere

from sk_embed import make_text_classifier
from sk_embed.datasets import fetch_imdb

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
MIN_WORDS = 4


def sentences_of(review):
    """The sentences of a review, its ``<br />`` line breaks removed."""
    return _SENTENCE_END.split(_LINE_BREAK.sub(" ", review).strip())


def last_sentence(review):
    sentences = sentences_of(review)
    for sentence in reversed(sentences):
        if len(sentence.split()) >= MIN_WORDS:
            return sentence
    return sentences[-1]


def short_texts(bunch, n_samples, seed):
    rows = np.random.RandomState(seed).permutation(len(bunch.data))[:n_samples]
    texts = [last_sentence(bunch.data[row]) for row in rows]
    return texts, bunch.target[rows], bunch.rating[rows]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SK_EMBED_DATA"))
    parser.add_argument("--n-samples", type=int, default=10_000)
    args = parser.parse_args(argv)

    train_texts, train_target, train_rating = short_texts(
        fetch_imdb(subset="train", data_home=args.data_home), args.n_samples, 0
    )
    test_texts, test_target, test_rating = short_texts(
        fetch_imdb(subset="test", data_home=args.data_home), args.n_samples, 1
    )
    words = np.mean([len(text.split()) for text in train_texts])
    print(f"{args.n_samples} training and test texts, {words:.1f} words on average")
    tasks = {
        "last sentence -> sentiment": (train_target, test_target),
        "last sentence -> rating": (train_rating, test_rating),
    }
    models = {
        "TF-IDF(1,2) + LogisticRegression": peer,
        "make_text_classifier()": lambda: make_text_classifier(random_state=0),
    }
    print(
        f"{'task':<28} {'model':<34} {'accuracy':>8} {'fit s':>6} {'predict s':>9}"
        f" {'fit / peer':>10} {'accuracy - peer':>15}"
    )
    for task, (train_labels, test_labels) in tasks.items():
        peer_result = None
        for name, factory in models.items():
            accuracy, fit_s, predict_s = measure(
                factory(), train_texts, train_labels, test_texts, test_labels
            )
            peer_result = peer_result or (accuracy, fit_s)
            print(
                f"{task:<28} {name:<34} {accuracy:>8.4f} {fit_s:>6.2f}"
                f" {predict_s:>9.2f} {fit_s / peer_result[1]:>10.2f}"
                f" {accuracy - peer_result[0]:>+15.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
