"""Time SequenceTokenizer against scikit-learn's CountVectorizer on IMDB.

Usage::

    python benchmarks/bench_tokenizer.py [--data-home PATH] [--repeats N] [--memory]

The 25,000 training reviews are read with :func:`sk_embed.datasets.fetch_imdb`
from ``--data-home`` or, if not given, the ``SK_EMBED_DATA`` environment
variable. Each case runs ``--repeats`` times, alternating the two estimators so
that machine noise hits both alike; the best time is reported (the least
disturbed run), with the median alongside. ``--memory`` adds one extra run per
case under :mod:`tracemalloc` for the peak memory (slower, so kept apart from
the timings).
"""

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc

from sklearn.feature_extraction.text import CountVectorizer

from sk_embed import SequenceTokenizer
from sk_embed.datasets import IMDBDataNotFoundError, fetch_imdb

NUM_WORDS = 10000


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


def cases(train, test):
    """(name, our run, CountVectorizer run) triples to compare."""
    fitted_ours = SequenceTokenizer(num_words=NUM_WORDS).fit(train)
    fitted_counts = CountVectorizer().fit(train)
    yield (
        "fit_transform (1, 1)",
        lambda: SequenceTokenizer(num_words=NUM_WORDS).fit_transform(train),
        lambda: CountVectorizer().fit_transform(train),
    )
    with_bigrams = {"num_words": NUM_WORDS, "ngram_range": (1, 2)}
    yield (
        "fit_transform (1, 2)",
        lambda: SequenceTokenizer(**with_bigrams).fit_transform(train),
        lambda: CountVectorizer(ngram_range=(1, 2)).fit_transform(train),
    )
    yield (
        "transform test (1, 1)",
        lambda: fitted_ours.transform(test),
        lambda: fitted_counts.transform(test),
    )


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

    header = f"{'case':<22} {'ours (s)':>15} {'CountVec (s)':>15} {'ratio':>6}"
    if args.memory:
        header += f" {'ours MiB':>9} {'CountVec MiB':>12}"
    print(header)
    print("-" * len(header))
    for name, ours, theirs in cases(train, test):
        our_times, their_times = [], []
        for _ in range(args.repeats):
            our_times.append(seconds(ours))
            their_times.append(seconds(theirs))
        best_ours, best_theirs = min(our_times), min(their_times)
        row = (
            f"{name:<22} {best_ours:7.2f} ({statistics.median(our_times):5.2f})"
            f" {best_theirs:7.2f} ({statistics.median(their_times):5.2f})"
            f" {best_ours / best_theirs:6.2f}"
        )
        if args.memory:
            row += f" {peak_megabytes(ours):9.0f} {peak_megabytes(theirs):12.0f}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
