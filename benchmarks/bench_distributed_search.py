"""Time one grid search in one process, with joblib's loky and on a Dask cluster.

Usage::

    python benchmarks/bench_distributed_search.py [--data-home PATH]
        [--n-samples N] [--epochs E] [--n-workers W] [--no-loky]

The search is ``make_pipeline(PadTransformer, SequenceEmbeddingClassifier)``
over ``maxlen`` x ``embedding_dim`` with 3-fold cross-validation, on
``--n-samples`` IMDB training reviews (read with
:func:`sk_embed.datasets.fetch_imdb` from ``--data-home`` or
``SK_EMBED_DATA``, tokenized by ``SequenceTokenizer(num_words=10000)``), or on
synthetic token sequences of the same size when the data is not there. It runs
as:

- ``n_jobs=1`` in this process (the reference);
- joblib's loky backend, ``n_jobs=W`` (skip with ``--no-loky``);
- a ``LocalCluster`` of ``W`` worker processes, one thread each, on
  127.0.0.1, through ``joblib.parallel_backend("dask")``: once as is, once on
  a fresh cluster with :class:`sk_embed.distributed.TensorFlowThreads`.

"start" is the one-off cost of starting the workers and importing sk_embed
(TensorFlow) in them, "search" the ``fit`` of the search itself; the speedup
is the reference's search time over the row's, measured in the same run.
"same scores" says whether ``cv_results_`` equals the reference's exactly
(else the largest difference of a mean test score), and the thread columns
give TensorFlow's intra-op pool size in the workers (0: TensorFlow's default,
all cores).
"""

import argparse
import os
import subprocess
import sys
import time
import warnings


import joblib  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sk_embed import (  # noqa: E402
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceTokenizer,
)
from sk_embed.datasets import IMDBDataNotFoundError, fetch_imdb  # noqa: E402
from sk_embed.distributed import TensorFlowThreads, tensorflow_threads  # noqa: E402

NUM_WORDS = 10000
PARAM_GRID = {
    "padtransformer__maxlen": [20, 100, 200],
    "sequenceembeddingclassifier__embedding_dim": [8, 16],
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-home",
        default=os.environ.get("SK_EMBED_DATA"),
        help="folder holding aclImdb_labeled.tar.gz (default: $SK_EMBED_DATA); "
        "synthetic data without it",
    )
    parser.add_argument("--n-samples", type=int, default=3000, help="reviews used")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fit")
    parser.add_argument("--n-workers", type=int, default=2, help="worker processes")
    parser.add_argument("--no-loky", action="store_true", help="skip the loky case")
    return parser.parse_args()


def load_sequences(data_home, n_samples):
    """Token-id sequences and labels, and a description of where they came from."""
    rng = np.random.RandomState(0)
    try:
        if data_home is None:
            raise IMDBDataNotFoundError("no data home")
        reviews, labels = fetch_imdb(
            "train", data_home=data_home, download_if_missing=False,
            return_X_y=True, verbose=False,
        )
    except IMDBDataNotFoundError:
        return synthetic_sequences(n_samples, rng), "synthetic"
    chosen = rng.choice(len(reviews), size=n_samples, replace=False)
    texts = [reviews[i] for i in chosen]
    sequences = SequenceTokenizer(num_words=NUM_WORDS).fit_transform(texts)
    return (sequences, np.asarray(labels)[chosen]), "IMDB train"


def synthetic_sequences(n_samples, rng):
    """Review-like sequences whose label is decided by a few signal words."""
    sequences, labels = [], []
    for _ in range(n_samples):
        length = rng.randint(30, 400)
        sequence = rng.randint(2, NUM_WORDS, size=length)
        label = rng.randint(2)
        # A handful of "sentiment" ids, towards the end where padding keeps them.
        where = rng.randint(max(0, length - 20), length, size=3)
        sequence[where] = 10 + label * 10 + rng.randint(10, size=3)
        sequences.append(list(sequence))
        labels.append(label)
    return sequences, np.array(labels)


SPIN = """
import time
start = time.perf_counter()
for _ in range(20_000_000):
    pass
print(time.perf_counter() - start)
"""


def parallel_capacity(n_processes):
    """How many times the work of one process ``n_processes`` processes do.

    A pure-Python loop, alone and then in ``n_processes`` processes started
    together: the ceiling of any process-parallel speedup on this machine
    (virtual CPUs may share physical cores, or the host may be busy).
    """

    def run(n):
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True
            )
            for _ in range(n)
        ]
        return max(float(p.communicate()[0]) for p in procs)

    return n_processes * run(1) / run(n_processes)


def make_search(epochs, **params):
    pipe = make_pipeline(
        PadTransformer(maxlen=20),
        SequenceEmbeddingClassifier(epochs=epochs, random_state=0),
    )
    return GridSearchCV(pipe, PARAM_GRID, cv=3, **params)


def seconds(run):
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def import_sk_embed():
    import sk_embed  # noqa: F401  (imports TensorFlow, runs nothing)

    return True


def compare(search, reference):
    ours = search.cv_results_["mean_test_score"]
    theirs = reference.cv_results_["mean_test_score"]
    same = all(
        np.array_equal(search.cv_results_[key], reference.cv_results_[key])
        for key in reference.cv_results_
        if key.startswith(("split", "mean_test", "std_test"))
    )
    return "yes" if same else f"no ({np.max(np.abs(ours - theirs)):.1e})"


def run_on_dask(args, X, y, plugin):
    from distributed import Client, LocalCluster

    def start():
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Port .* is already in use")
            cluster = LocalCluster(
                n_workers=args.n_workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None,
            )
        client = Client(cluster)
        if plugin:
            client.register_plugin(TensorFlowThreads())
        client.run(import_sk_embed)
        return cluster, client

    start_seconds, (cluster, client) = seconds(start)
    try:
        search = make_search(args.epochs)
        with joblib.parallel_backend("dask"):
            search_seconds, _ = seconds(lambda: search.fit(X, y))
        threads = {t["intra_op"] for t in client.run(tensorflow_threads).values()}
    finally:
        client.close()
        cluster.close()
    return start_seconds, search_seconds, search, ",".join(map(str, sorted(threads)))


def run_on_loky(args, X, y):
    def start():
        # Spawns the reusable loky workers and imports sk_embed in them.
        joblib.Parallel(n_jobs=args.n_workers)(
            joblib.delayed(import_sk_embed)() for _ in range(args.n_workers)
        )

    start_seconds, _ = seconds(start)
    search = make_search(args.epochs, n_jobs=args.n_workers)
    search_seconds, _ = seconds(lambda: search.fit(X, y))
    return start_seconds, search_seconds, search, "0"


def main():
    args = parse_args()
    (X, y), source = load_sequences(args.data_home, args.n_samples)
    lengths = [len(s) for s in X]
    n_fits = 3 * np.prod([len(v) for v in PARAM_GRID.values()])
    print(
        f"{source}: {len(X)} sequences (median length {int(np.median(lengths))}), "
        f"{n_fits} fits of {args.epochs} epochs + 1 refit, {os.cpu_count()} CPUs, "
        f"{args.n_workers} workers, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{args.n_workers} processes of pure Python do "
        f"{parallel_capacity(args.n_workers):.2f}x the work of one here "
        "(the ceiling of the speedups below)\n"
    )
    reference_seconds, reference = seconds(lambda: make_search(args.epochs).fit(X, y))
    rows = [("n_jobs=1 (this process)", 0.0, reference_seconds, reference,
             str(tensorflow_threads()["intra_op"]))]
    if not args.no_loky:
        rows.append((f"loky n_jobs={args.n_workers}", *run_on_loky(args, X, y)))
    rows.append((f"dask {args.n_workers}x1", *run_on_dask(args, X, y, plugin=False)))
    rows.append(
        (f"dask {args.n_workers}x1 + TensorFlowThreads",
         *run_on_dask(args, X, y, plugin=True))
    )

    header = (
        f"{'case':<32} {'start (s)':>9} {'search (s)':>10} {'speedup':>7} "
        f"{'intra-op':>8}  same scores"
    )
    print(header)
    print("-" * len(header))
    for name, start_seconds, search_seconds, search, threads in rows:
        print(
            f"{name:<32} {start_seconds:9.1f} {search_seconds:10.1f} "
            f"{reference_seconds / search_seconds:7.2f} {threads:>8}  "
            f"{compare(search, reference)}",
            flush=True,
        )
    print(
        f"\nbest: {reference.best_params_}, accuracy {reference.best_score_:.3f}; "
        f"load average now {os.getloadavg()[0]:.1f} (other work on the machine "
        "distorts the timings)"
    )


if __name__ == "__main__":
    main()
