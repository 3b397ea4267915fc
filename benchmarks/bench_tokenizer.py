"""Time sk_embed's tokenizers against scikit-learn's text vectorizers on IMDB.

Usage::

    python benchmarks/bench_tokenizer.py [--data-home PATH] [--repeats N] [--memory]
        [--tables vocabulary hashing]

The 25,000 training reviews are read with :func:`sk_embed.datasets.fetch_imdb`
from ``--data-home`` or, if not given, the ``SK_EMBED_DATA`` environment
variable. Each case runs ``--repeats`` times, alternating our tokenizer and its
peers so that machine noise hits all alike; the best time is reported (the
least disturbed run), with the median alongside, and the ratio of our best
time to each peer's. ``--memory`` adds one extra run per case under
:mod:`tracemalloc` for the peak memory (slower, so kept apart from the timings).

Besides plain unigrams and bigrams, the cases include the configuration of
:func:`sk_embed.make_text_classifier` (bigrams, ``binary=True``,
``num_words=300_000``), against CountVectorizer with the same n-grams and
``binary=True`` and against the TF-IDF vectorizer of the TF-IDF + logistic
regression baseline it competes with, and the same with trigrams.

The ``hashing`` table times ``HashingSequenceTokenizer.transform`` on the test
reviews against its two peers on the same texts: the ``transform`` of a
SequenceTokenizer fitted on the training reviews (the vocabulary it replaces)
and HashingVectorizer's ``transform`` (the hashing it mirrors), for unigrams,
for ``ngram_range=(1, 2)``, and for ``(1, 2)`` with ``binary=True``.

The ``collisions`` table (no timing) counts, for several ``n_buckets``, the
distinct tokens of the training reviews that share their hash bucket with
another one, and the share of all token occurrences that fall in such
buckets: for words, and for word 1- to 3-grams.
"""

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc

import numpy as np
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfVectorizer,
)

from sk_embed import HashingSequenceTokenizer, SequenceTokenizer
from sk_embed.datasets import IMDBDataNotFoundError, fetch_imdb

NUM_WORDS = 10000
# make_text_classifier's tokenizer, and the vectorizer of its TF-IDF baseline.
CLASSIFIER_PARAMS = {"num_words": 300_000, "ngram_range": (1, 2), "binary": True}
TFIDF_PARAMS = {"ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-home",
        default=os.environ.get("SK_EMBED_DATA"),
        help="folder holding aclImdb_labeled.tar.gz (default: $SK_EMBED_DATA)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per case")
    parser.add_argument(
        "--memory", action="store_true", help="also measure peak memory (tracemalloc)"
    )
    parser.add_argument(
        "--tables", nargs="+", choices=TABLES, default=TABLES,
        help="which comparisons to run (default: all)",
    )
    return parser.parse_args()


def load_reviews(data_home, subset):
    try:
        reviews, _ = fetch_imdb(
            subset, data_home=data_home, download_if_missing=False,
            return_X_y=True, verbose=False,
        )
    except IMDBDataNotFoundError as error:
        sys.exit(f"IMDB data not found.\n{error}")
    return list(reviews)


def seconds(run):
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def peak_megabytes(run):
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def vocabulary_cases(train, test):
    """(name, our run, {peer name: peer run}) triples to compare.

    Estimators for the transform cases are fitted just before their case.
    """
    yield (
        "fit_transform (1, 1)",
        lambda: SequenceTokenizer(num_words=NUM_WORDS).fit_transform(train),
        {"CountVec": lambda: CountVectorizer().fit_transform(train)},
    )
    with_bigrams = {"num_words": NUM_WORDS, "ngram_range": (1, 2)}
    yield (
        "fit_transform (1, 2)",
        lambda: SequenceTokenizer(**with_bigrams).fit_transform(train),
        {"CountVec": lambda: CountVectorizer(ngram_range=(1, 2)).fit_transform(train)},
    )
    fitted_ours = SequenceTokenizer(num_words=NUM_WORDS).fit(train)
    fitted_counts = CountVectorizer().fit(train)
    yield (
        "transform test (1, 1)",
        lambda: fitted_ours.transform(test),
        {"CountVec": lambda: fitted_counts.transform(test)},
    )
    yield from classifier_cases(train, test, max_n=2)
    yield from classifier_cases(train, test, max_n=3)


def classifier_cases(train, test, max_n):
    """make_text_classifier's tokenizer against CountVectorizer and TF-IDF."""
    ours = {**CLASSIFIER_PARAMS, "ngram_range": (1, max_n)}
    counts = {"ngram_range": (1, max_n), "binary": True}
    tfidf = {**TFIDF_PARAMS, "ngram_range": (1, max_n)}
    yield (
        f"fit_transform (1, {max_n}) bin",
        lambda: SequenceTokenizer(**ours).fit_transform(train),
        {
            "CountVec": lambda: CountVectorizer(**counts).fit_transform(train),
            "TF-IDF": lambda: TfidfVectorizer(**tfidf).fit_transform(train),
        },
    )
    fitted_ours = SequenceTokenizer(**ours).fit(train)
    fitted_counts = CountVectorizer(**counts).fit(train)
    fitted_tfidf = TfidfVectorizer(**tfidf).fit(train)
    yield (
        f"transform test (1, {max_n}) bin",
        lambda: fitted_ours.transform(test),
        {
            "CountVec": lambda: fitted_counts.transform(test),
            "TF-IDF": lambda: fitted_tfidf.transform(test),
        },
    )


def hashing_cases(train, test):
    """HashingSequenceTokenizer against SequenceTokenizer and HashingVectorizer.

    Each transforms the test reviews; the SequenceTokenizer is fitted on the
    training reviews beforehand, outside the timings.
    """
    for ngram_range, binary in [((1, 1), False), ((1, 2), False), ((1, 2), True)]:
        ours = HashingSequenceTokenizer(ngram_range=ngram_range, binary=binary)
        fitted = SequenceTokenizer(
            num_words=NUM_WORDS, ngram_range=ngram_range, binary=binary
        ).fit(train)
        hashing = HashingVectorizer(ngram_range=ngram_range, binary=binary)
        suffix = " bin" if binary else ""
        yield (
            f"transform test {ngram_range}{suffix}",
            lambda ours=ours: ours.transform(test),
            {
                "SeqTok": lambda fitted=fitted: fitted.transform(test),
                "HashVec": lambda hashing=hashing: hashing.transform(test),
            },
        )


#: The timed comparisons: their cases and the peers of their columns.
TIMINGS = {
    "vocabulary": (vocabulary_cases, ["CountVec", "TF-IDF"]),
    "hashing": (hashing_cases, ["SeqTok", "HashVec"]),
}
TABLES = [*TIMINGS, "collisions"]
BUCKET_POWERS = (16, 18, 20, 22)
#: The largest n_buckets (ids fit in int32): tokens of IMDB rarely share one.
MAX_BUCKETS = 2**31 - 2


def best_and_median(times):
    return f"{min(times):6.2f} ({statistics.median(times):5.2f})"


def main():
    args = parse_args()
    if args.data_home is None:
        sys.exit(
            "No IMDB data location: pass --data-home PATH or set SK_EMBED_DATA to the "
            "folder holding aclImdb_labeled.tar.gz."
        )
    train = load_reviews(args.data_home, "train")
    test = load_reviews(args.data_home, "test")
    print(f"{len(train)} training reviews, {len(test)} test reviews, "
          f"best (median) of {args.repeats} runs\n")

    for table in args.tables:
        if table == "collisions":
            print_collisions(train)
        else:
            cases, peers = TIMINGS[table]
            print_table(cases(train, test), peers, args)
        print()


def hashed_ids(texts, n_buckets, ngram_range):
    """The ids of all the tokens of ``texts``, end to end, as int64."""
    tokenizer = HashingSequenceTokenizer(n_buckets=n_buckets, ngram_range=ngram_range)
    return np.concatenate(tokenizer.transform(texts)).astype(np.int64)


def print_collisions(train):
    """How much the tokens of the training reviews share their hash buckets.

    Two figures per bucket count: the share of distinct tokens whose bucket
    holds another token, and, averaged over all token occurrences, the
    share of the occurrences of the token's bucket that are other tokens'
    (what its embedding learns from something else). Tokens are told apart
    by their ids in ``MAX_BUCKETS`` (about 2**31) buckets, where two of a
    few million tokens rarely meet.
    """
    print("distinct tokens in a shared bucket / mean share of other tokens in the "
          "bucket of an occurrence")
    header = f"{'tokens':<12} {'distinct':>10}" + "".join(
        f" {f'2**{power} buckets':>17}" for power in BUCKET_POWERS
    )
    print(header)
    print("-" * len(header))
    for label, ngram_range in [("words", (1, 1)), ("1-3 grams", (1, 3))]:
        token = hashed_ids(train, MAX_BUCKETS, ngram_range)
        _, token, token_counts = np.unique(
            token, return_inverse=True, return_counts=True
        )
        row = f"{label:<12} {len(token_counts):>10,}"
        for power in BUCKET_POWERS:
            bucket = hashed_ids(train, 2**power, ngram_range)
            pairs = np.unique(bucket << 32 | token)  # distinct (bucket, token)
            tokens_in_bucket = np.bincount(pairs >> 32)
            shared = np.mean(tokens_in_bucket[pairs >> 32] > 1)
            in_bucket = np.bincount(bucket)[bucket]
            foreign = np.mean((in_bucket - token_counts[token]) / in_bucket)
            row += f" {shared:8.1%} / {foreign:5.1%}"
        print(row, flush=True)


def print_table(cases, peers, args):
    """Run each case and its peers, alternating, and print one row per case."""
    header = f"{'case':<26} {'ours (s)':>14}" + "".join(
        f" {name + ' (s)':>14} {'ratio':>6}" for name in peers
    )
    if args.memory:
        header += f" {'ours MiB':>9}" + "".join(
            f" {name + ' MiB':>12}" for name in peers
        )
    print(header)
    print("-" * len(header))
    for name, ours, theirs in cases:
        our_times = []
        their_times = {peer: [] for peer in theirs}
        for _ in range(args.repeats):
            our_times.append(seconds(ours))
            for peer, run in theirs.items():
                their_times[peer].append(seconds(run))
        row = f"{name:<26} {best_and_median(our_times)}"
        for peer in peers:
            if peer in their_times:
                ratio = min(our_times) / min(their_times[peer])
                row += f" {best_and_median(their_times[peer])} {ratio:6.2f}"
            else:
                row += f" {'-':>14} {'-':>6}"
        if args.memory:
            row += f" {peak_megabytes(ours):9.0f}" + "".join(
                f" {peak_megabytes(theirs[peer]):12.0f}" if peer in theirs
                else f" {'-':>12}"
                for peer in peers
            )
        print(row, flush=True)


if __name__ == "__main__":
    main()
