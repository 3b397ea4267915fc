"""Hyperparameter searches on a Dask cluster, with sane TensorFlow threads.

scikit-learn's searches (``GridSearchCV``, ``RandomizedSearchCV``,
``cross_validate``) run their fits through joblib, and joblib's ``"dask"``
backend sends those fits to the workers of a Dask cluster. sk_embed's
estimators need nothing special for this: they pickle (fitted ones with their
Keras model), and a search with an int ``random_state`` gives on the cluster
the scores, ``best_params_`` and best estimator it gives with ``n_jobs=1``
(with one TensorFlow thread per fit; see :class:`TensorFlowThreads`)::

    import joblib
    from dask.distributed import Client

    client = Client("tcp://scheduler:8786")  # or Client(LocalCluster(...))
    client.register_plugin(TensorFlowThreads())
    with joblib.parallel_backend("dask"):
        search.fit(X, y)

What this module adds is the thread budget of TensorFlow in each worker.
TensorFlow sizes two thread pools per process, intra-op (inside one
operation) and inter-op (between independent operations), to all the cores
of the machine, whatever Dask allotted to the worker. Two worker processes on
two cores thus start eight TensorFlow threads, and many small fits
(the usual search) go slower than with one thread each. The worker plugin
:class:`TensorFlowThreads` sizes both pools to the worker's ``nthreads``;
:func:`tensorflow_threads` reports the setting (run it with ``client.run``).

Import this module on demand, ``from sk_embed.distributed import
TensorFlowThreads``; ``import sk_embed`` does not load it, and it imports
without Dask (install the ``distributed`` extra, ``pip install
"sk_embed[distributed]"``, to use it with a cluster). Nothing here changes the
process that imports it: the plugin acts in the worker processes only.
"""

import os
import pickle
import uuid
import warnings
from numbers import Integral

try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # Dask is optional; without it there is no cluster to join.
    _WorkerPlugin = object

__all__ = ["TensorFlowThreads", "tensorflow_threads"]

#: Tokens of the plugins made in this process. A worker whose plugin carries
#: a token from this set (and this process id) shares the process with the
#: code that made the plugin: a LocalCluster with ``processes=False``.
_MADE_HERE = set()


def tensorflow_threads():
    """Return the TensorFlow thread-pool sizes configured in this process.

    Run it on every worker with ``client.run(tensorflow_threads)`` to check
    what :class:`TensorFlowThreads` did there. It reads the setting only: it
    neither imports Dask nor starts TensorFlow's runtime.

    Returns
    -------
    threads : dict
        ``{"intra_op": int, "inter_op": int}``, the sizes of TensorFlow's
        intra-op and inter-op thread pools. 0 means not configured: TensorFlow
        then takes ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS``
        from the environment, else the number of cores.

    See Also
    --------
    TensorFlowThreads : The worker plugin that sets these sizes.

    Examples
    --------
    >>> from sk_embed.distributed import tensorflow_threads
    >>> sorted(tensorflow_threads())
    ['inter_op', 'intra_op']
    >>> client.run(tensorflow_threads)  # doctest: +SKIP
    {'tcp://127.0.0.1:36967': {'intra_op': 1, 'inter_op': 1},
     'tcp://127.0.0.1:43093': {'intra_op': 1, 'inter_op': 1}}
    """
    import tensorflow as tf

    return {
        "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def _check_threads(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int or None, got {value!r}.")
    return int(value)


def _warn(message, worker=None):
    """Warn in this process and, from a worker, in the connected clients too.

    A plugin's ``setup`` runs outside any task, where ``distributed.warn``
    cannot find its worker; this sends the same ``"warn"`` event it would, so
    the warning shows where the user is looking, not only in the worker log.
    """
    warnings.warn(message, RuntimeWarning, stacklevel=2)
    log_event = getattr(worker, "log_event", None)
    if log_event is None:
        return
    try:
        log_event(
            "warn",
            {
                "message": pickle.dumps(message),
                "category": pickle.dumps(RuntimeWarning),
            },
        )
    except Exception:  # pragma: no cover - the local warning is enough
        pass


class TensorFlowThreads(_WorkerPlugin):
    """Dask worker plugin: size TensorFlow's thread pools in every worker.

    Register it once per cluster, before the first task, with
    ``client.register_plugin(TensorFlowThreads())``. Dask runs its
    :meth:`setup` in every worker process, those already running and those
    that join or restart later. The process that registers it is left alone.

    Parameters
    ----------
    intra_op : int, default=None
        Threads that one TensorFlow operation (a matrix product, say) may
        split into. None means the worker's ``nthreads``, the cores Dask
        allotted to it (``threads_per_worker`` of a ``LocalCluster``,
        ``--nthreads`` of ``dask worker``).
    inter_op : int, default=None
        Threads running independent TensorFlow operations at the same time.
        None means the worker's ``nthreads``.

    Attributes
    ----------
    name : str
        The plugin's name on the cluster. Registering another
        ``TensorFlowThreads`` replaces the previous one.

    See Also
    --------
    tensorflow_threads : Report the sizes in a process.

    Notes
    -----
    **When it acts.** TensorFlow fixes its thread pools the first time it
    runs an operation in a process; after that they cannot change. So the
    plugin must reach a worker before any TensorFlow work: register it right
    after creating the client. Registered late, it leaves the pools as they
    are and warns (in the worker log and in the client); ``client.restart()``
    then applies it, since restarted workers receive the registered plugins
    before any task. Imported TensorFlow is fine, only executed TensorFlow
    counts.

    **Why ``nthreads``.** Dask gives each worker ``nthreads`` cores and runs
    up to ``nthreads`` tasks (fits) in it at once. TensorFlow's pools are
    per process and shared by those tasks, so sizing them to ``nthreads``
    keeps the worker within its share of the machine. For many small fits,
    the usual search, the fastest layout is one thread per worker and one
    worker per core: ``LocalCluster(n_workers=n_cores, threads_per_worker=1)``
    or ``dask worker --nworkers n_cores --nthreads 1``, each fit then running
    single-threaded. One big fit at a time is better served by few workers
    with many threads.

    **Reproducibility.** A search with an int ``random_state`` repeats
    exactly, on a cluster as with ``n_jobs=1``, when each fit runs with one
    intra-op thread. With more, TensorFlow may split the update of the
    embedding weights (a scatter-add of the sparse gradient over repeated
    token ids) across threads, and the order of its float additions then
    varies from run to run: results differ in the last bits, whether on a
    cluster or not. It happens with large batches only (seen from about
    100,000 embedding values per batch, ``batch_size * maxlen *
    embedding_dim``, and not on every run; never at 50,000 or fewer, so not
    for the classic IMDB model, ``32 * 20 * 8``). ``threads_per_worker=1``
    with this plugin gives one intra-op thread.

    **In-process workers.** With ``LocalCluster(processes=False)`` the
    workers are threads of the calling process; the plugin then warns and
    changes nothing, as it never touches the process that made it.

    **joblib's own processes.** ``GridSearchCV(n_jobs=2)`` without Dask uses
    joblib's loky workers. loky caps the OpenMP and BLAS threads of its
    workers, but TensorFlow's pools use neither, so each loky worker again
    sizes them to all cores. TensorFlow reads ``TF_NUM_INTRAOP_THREADS`` and
    ``TF_NUM_INTEROP_THREADS`` when it starts, and loky workers inherit the
    environment when they are spawned; setting both (to 1, say) before the
    first parallel call limits the workers, and also the calling process if
    its TensorFlow has not run yet.

    Examples
    --------
    The plugin is a plain object until a cluster runs it:

    >>> from sk_embed.distributed import TensorFlowThreads
    >>> TensorFlowThreads()
    TensorFlowThreads(intra_op=None, inter_op=None)
    >>> TensorFlowThreads(intra_op=2, inter_op=1)
    TensorFlowThreads(intra_op=2, inter_op=1)

    A grid search on a two-process local cluster (on a real cluster, pass
    the scheduler's address to ``Client`` instead):

    >>> import joblib
    >>> from dask.distributed import Client, LocalCluster  # doctest: +SKIP
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import make_pipeline
    >>> from sk_embed import PadTransformer, SequenceEmbeddingClassifier
    >>> from sk_embed.distributed import tensorflow_threads
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1)  # doctest: +SKIP
    >>> client = Client(cluster)  # doctest: +SKIP
    >>> client.register_plugin(TensorFlowThreads())  # doctest: +SKIP
    >>> client.run(tensorflow_threads)  # doctest: +SKIP
    {'tcp://127.0.0.1:36967': {'intra_op': 1, 'inter_op': 1},
     'tcp://127.0.0.1:43093': {'intra_op': 1, 'inter_op': 1}}
    >>> search = GridSearchCV(
    ...     make_pipeline(
    ...         PadTransformer(maxlen=20),
    ...         SequenceEmbeddingClassifier(epochs=5, random_state=0),
    ...     ),
    ...     {"padtransformer__maxlen": [10, 20]},
    ... )
    >>> with joblib.parallel_backend("dask"):  # doctest: +SKIP
    ...     search.fit(sequences, labels)
    """

    name = "sk_embed.distributed.TensorFlowThreads"

    def __init__(self, intra_op=None, inter_op=None):
        self.intra_op = _check_threads("intra_op", intra_op)
        self.inter_op = _check_threads("inter_op", inter_op)
        self._origin = (os.getpid(), uuid.uuid4().hex)
        _MADE_HERE.add(self._origin)

    def __repr__(self):
        return (
            f"{type(self).__name__}(intra_op={self.intra_op!r}, "
            f"inter_op={self.inter_op!r})"
        )

    def _made_in_this_process(self):
        # The pid tells a forked child (which inherits _MADE_HERE) apart.
        return self._origin[0] == os.getpid() and self._origin in _MADE_HERE

    def setup(self, worker):
        """Size TensorFlow's pools in ``worker``'s process (Dask calls this).

        Synchronous on purpose: it blocks the worker's event loop, so no task
        can start TensorFlow before the pools are set.

        Parameters
        ----------
        worker : distributed.Worker
            The worker being set up.
        """
        address = getattr(worker, "address", "?")
        if self._made_in_this_process():
            _warn(
                f"TensorFlowThreads: worker {address} runs inside the process "
                "that created the plugin (a LocalCluster with "
                "processes=False?); its TensorFlow threads are left as they "
                "are. Use worker processes to give each its own thread pools."
            )
            return
        nthreads = max(1, int(worker.state.nthreads))
        intra_op = self.intra_op or nthreads
        inter_op = self.inter_op or nthreads

        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(intra_op)
            tf.config.threading.set_inter_op_parallelism_threads(inter_op)
        except RuntimeError:
            # TensorFlow already ran an operation here; its pools are fixed.
            current = tensorflow_threads()
            _warn(
                f"TensorFlowThreads could not set intra_op={intra_op}, "
                f"inter_op={inter_op} on worker {address}: TensorFlow had "
                "already run there, so its thread pools stay "
                f"intra_op={current['intra_op']}, inter_op="
                f"{current['inter_op']} (0 = TensorFlow's default, all "
                "cores). Register the plugin before submitting work, or "
                "restart the workers (client.restart()) to apply it.",
                worker,
            )
