"""Peak memory and time of a partial_fit stream at 100,000 and 1,000,000 documents.

Usage::

    python benchmarks/bench_streaming_memory.py [--data-home DIR]
        [--sizes 100000 1000000] [--chunk-size 1000]

The documents are synthetic, built from the IMDB training reviews (no other
download): the reviews are cut into sentences (at ".", "!" or "?", after
removing the ``<br />`` line breaks, as ``bench_short_texts.py`` does), and
each new document joins sentences drawn at random from the reviews of one
class, which gives it its label, as many as a review drawn at random has.
Documents are built lazily, one chunk of ``--chunk-size`` at a time: only
the sentence pool (the training reviews' text, the same for every size) and
one chunk are ever in memory.

Each chunk goes through the streaming pipeline of
``examples/plot_out_of_core.py``, taken from the example itself:
``HashingSequenceTokenizer(n_buckets=2**20, ngram_range=(1, 3),
binary=True)``, ``PadTransformer(maxlen=1200)`` and ``partial_fit`` of a
classifier with :func:`~sk_embed.make_text_classifier`'s model settings and
the tokenizer's ``vocab_size``.

Each size runs in a fresh Python process, so that its peak resident memory
(``ru_maxrss``) is its own. The table gives the peak after the setup
(imports, sentence pool, model) and at the end of the stream, the stream's
time (building, tokenizing, padding and training), and the accuracy of the
streamed model on 5,000 IMDB test reviews (a check that it learnt). The
ratios of the largest size to the smallest follow: the goal is a peak memory
ratio of at most 1.10 and a time ratio equal to the size ratio within 15%.
"""

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from sk_embed.datasets import fetch_imdb

# The same sentence splitting as the short-text benchmark, beside this script.
from bench_short_texts import sentences_of  # noqa: E402
EXAMPLE = Path(__file__).parents[1] / "examples" / "plot_out_of_core.py"
N_BUCKETS = 2**20
N_EVAL = 5000
#: ru_maxrss is in kibibytes on Linux, in bytes on macOS.
_MAXRSS_BYTES = 1 if sys.platform == "darwin" else 1024


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-home",
        default=os.environ.get("SK_EMBED_DATA"),
        help="folder with the IMDB data (default: $SK_EMBED_DATA)",
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
        help="numbers of documents, each streamed in its own process",
    )  # fmt: skip
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the synthetic documents"
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def peak_megabytes():
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss * _MAXRSS_BYTES / 2**20


class SentencePool:
    """The sentences of the training reviews, grouped by class.

    Held as one string per class and the offsets of its sentences, not as a
    list of Python strings: a few hundred thousand small objects would cost
    more than the text itself.
    """

    def __init__(self, reviews, labels):
        self.classes = np.unique(labels)
        self.text, self.bounds = {}, {}
        counts = []
        for label in self.classes:
            sentences = []
            for review, review_label in zip(reviews, labels):
                if review_label == label:
                    split = sentences_of(review)
                    sentences += split
                    counts.append(len(split))
            lengths = np.fromiter(map(len, sentences), dtype=np.int64)
            self.text[label] = " ".join(sentences)
            self.bounds[label] = np.cumsum(lengths + 1) - (lengths + 1), lengths
        #: Sentences per review, drawn from for each new document.
        self.sentence_counts = np.array(counts)

    def documents(self, n_documents, chunk_size, rng):
        """Yield ``(texts, labels)`` chunks of new documents, built lazily."""
        for start in range(0, n_documents, chunk_size):
            size = min(chunk_size, n_documents - start)
            labels = rng.choice(self.classes, size=size)
            lengths = rng.choice(self.sentence_counts, size=size)
            texts = [
                self._document(label, n_sentences, rng)
                for label, n_sentences in zip(labels, lengths)
            ]
            yield texts, labels

    def _document(self, label, n_sentences, rng):
        starts, lengths = self.bounds[label]
        text = self.text[label]
        picks = rng.randint(len(starts), size=n_sentences)
        return " ".join(
            text[start : start + length]
            for start, length in zip(starts[picks], lengths[picks])
        )


def streaming_steps():
    """The example's tokenizer, padding and classifier."""
    spec = importlib.util.spec_from_file_location(EXAMPLE.stem, EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example.make_steps(N_BUCKETS, epochs=1)


def run_worker(args):
    """Stream ``args.worker`` documents; print the measures as JSON."""
    train = fetch_imdb(subset="train", data_home=args.data_home)
    test = fetch_imdb(subset="test", data_home=args.data_home, shuffle=True,
                      random_state=0)  # fmt: skip
    pool = SentencePool(train.data, train.target)
    X_eval_texts, y_eval = test.data[:N_EVAL], test.target[:N_EVAL]
    del train, test
    tokenizer, padder, classifier = streaming_steps()
    rng = np.random.RandomState(args.seed)
    setup_peak = peak_megabytes()

    start = time.perf_counter()
    for texts, labels in pool.documents(args.worker, args.chunk_size, rng):
        X = padder.fit_transform(tokenizer.transform(texts))
        classifier.partial_fit(X, labels, classes=pool.classes)
    seconds = time.perf_counter() - start
    stream_peak = peak_megabytes()

    X_eval = padder.fit_transform(tokenizer.transform(X_eval_texts))
    print(json.dumps({
        "n_documents": args.worker,
        "setup_peak_mb": setup_peak,
        "peak_mb": stream_peak,
        "seconds": seconds,
        "accuracy": classifier.score(X_eval, y_eval),
    }))  # fmt: skip


def measure(size, args):
    command = [
        sys.executable, __file__, "--worker", str(size),
        "--chunk-size", str(args.chunk_size), "--seed", str(args.seed),
    ]  # fmt: skip
    if args.data_home is not None:
        command += ["--data-home", args.data_home]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"The run on {size} documents failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    args = parse_args()
    if args.worker is not None:
        run_worker(args)
        return
    if args.data_home is None:
        sys.exit(
            "No IMDB data location: pass --data-home PATH or set SK_EMBED_DATA to the "
            "folder holding aclImdb_labeled.tar.gz."
        )
    print(f"{'documents':>10} {'setup peak MB':>13} {'peak MB':>8} "
          f"{'stream s':>9} {'docs/s':>7} {'accuracy':>8}")  # fmt: skip
    results = []
    for size in args.sizes:
        result = measure(size, args)
        results.append(result)
        print(f"{size:>10} {result['setup_peak_mb']:>13.0f} {result['peak_mb']:>8.0f} "
              f"{result['seconds']:>9.1f} {size / result['seconds']:>7.0f} "
              f"{result['accuracy']:>8.4f}", flush=True)  # fmt: skip
    if len(results) > 1:
        small, large = results[0], results[-1]
        size_ratio = large["n_documents"] / small["n_documents"]
        print(f"\n{large['n_documents']} / {small['n_documents']} documents "
              f"(x{size_ratio:g}):")  # fmt: skip
        print(f"peak memory ratio {large['peak_mb'] / small['peak_mb']:.3f} "
              "(goal <= 1.10)")
        print(f"time ratio {large['seconds'] / small['seconds']:.2f} "
              f"(goal {size_ratio:g} +- 15%: "
              f"{0.85 * size_ratio:g} to {1.15 * size_ratio:g})")


if __name__ == "__main__":
    main()
