"""Import TensorFlow without its C++ start-up chatter.

TensorFlow's native libraries log with absl. Lines logged after absl starts
obey ``TF_CPP_MIN_LOG_LEVEL``; lines logged while the libraries load, before
absl starts (the oneDNN notice, "Could not find cuda drivers", and the
banner announcing them), go straight to file descriptor 2 whatever the
level. The first look for devices adds an ERROR line on every machine
without a GPU driver ("failed call to cuInit"). Every process that imports
sk_embed, joblib and Dask workers included, would print them.

So TensorFlow's start-up (its import and the listing of its devices) runs
with file descriptor 2 read through a temporary file:

- when the user has not set ``TF_CPP_MIN_LOG_LEVEL``, the absl lines of the
  start-up are dropped, and the variable defaults to 2 for the rest of the
  process (INFO and WARNING lines of TensorFlow's C++ code hidden, as most
  TensorFlow front-ends do);
- when the user has set it, the start-up lines below that level are dropped
  and the others shown: ``TF_CPP_MIN_LOG_LEVEL=0`` shows them all.

Everything else written to descriptor 2 meanwhile is passed on, and when the
import fails, every captured line is, before the error propagates.
"""

import contextlib
import functools
import logging
import os
import re
import sys
import tempfile
import threading

LOG_LEVEL_ENV = "TF_CPP_MIN_LOG_LEVEL"
# Set beside our default, so that child processes (joblib and Dask workers
# inherit the environment) still know the level is ours, not the user's.
DEFAULTED_ENV = "SK_EMBED_DEFAULTED_TF_CPP_MIN_LOG_LEVEL"
#: Hides TensorFlow's C++ INFO and WARNING lines; errors stay visible.
DEFAULT_LOG_LEVEL = "2"

# An absl log line: severity letter, then the date (e.g. "I0000 00:00:17...").
_ABSL_LINE = re.compile(r"^([IWEF])\d{4} ")
_SEVERITY_RANK = {"I": 0, "W": 1, "E": 2, "F": 3}
# absl prints this once before the first early line; it goes with them.
_EARLY_BANNER = "WARNING: All log messages before absl::InitializeLog() is called"


def import_tensorflow_quietly():
    """Import ``tensorflow`` once, dropping its start-up lines below the level.

    A no-op when TensorFlow is already imported: then its start-up lines
    are already out, or were the importer's business.
    """
    user_level = _user_log_level()
    if user_level is None:
        os.environ[LOG_LEVEL_ENV] = os.environ[DEFAULTED_ENV] = DEFAULT_LOG_LEVEL
    if "tensorflow" in sys.modules:
        return
    _run_quietly(_start_tensorflow, _startup_min_rank(user_level))


def _user_log_level():
    """``TF_CPP_MIN_LOG_LEVEL`` as the user set it; None if unset or ours."""
    level = os.environ.get(LOG_LEVEL_ENV)
    return None if level == os.environ.get(DEFAULTED_ENV) else level


def _start_tensorflow():
    import tensorflow as tf

    tf.config.list_physical_devices()


def _startup_min_rank(user_level):
    """Lowest severity rank shown: fatal lines only, unless the user chose
    a level (``user_level``, None when they did not)."""
    return _SEVERITY_RANK["F"] if user_level is None else _min_rank(user_level)


def _run_quietly(action, min_rank):
    """Call ``action()``, dropping the absl lines it logs below ``min_rank``."""
    with _captured_stderr() as read_captured:
        try:
            action()
        except BaseException:
            # Before the error propagates, so the traceback follows
            # whatever TensorFlow explained first.
            sys.stderr.write("".join(read_captured()))
            raise
        lines = read_captured()
    sys.stderr.write("".join(_kept_lines(lines, min_rank)))
    sys.stderr.flush()


@functools.cache
def consume_onednn_bool_notice():
    """Have TensorFlow log its oneDNN boolean notice now, under the level.

    With oneDNN's kernels on, TensorFlow's graph optimizer logs once per
    process, at ERROR level although nothing is wrong, "oneDNN supports
    DT_BOOL only on platforms with AVX-512. Falling back to the default
    Eigen-based implementation", when it first meets a graph transposing
    booleans: the padding mask of a recurrent encoder, turned time-major.
    Transposing a boolean in a graph of our own, with file descriptor 2
    read as at start-up, spends that once: its line is dropped unless the
    user set ``TF_CPP_MIN_LOG_LEVEL`` low enough to see it. Called before
    every fit; only the first call does anything. Not done at import: a
    graph run there would start TensorFlow's thread pools, which the user
    can then no longer size.
    """
    min_rank = _startup_min_rank(_user_log_level())
    _run_quietly(_transpose_a_boolean_in_a_graph, min_rank)


def _transpose_a_boolean_in_a_graph():
    import tensorflow as tf

    # Not 1 x 1: the graph optimizer drops a transpose that moves nothing.
    tf.function(tf.transpose, autograph=False)(tf.constant([[True, False]]))


class _KerasRetracingFilter(logging.Filter):
    """Drops TensorFlow's retracing warning about Keras' train functions.

    Each fit of a new network traces Keras' train step anew (the traces
    the trainers of ``_trainers.py`` save are those of small networks), and
    TensorFlow counts all of them as retraces of one function, warning
    that "N out of the last M calls to <function
    TensorFlowTrainer._make_function...> triggered tf.function retracing"
    during any search over several networks. Nothing is to be done about
    it; warnings about other functions pass.
    """

    def filter(self, record):
        message = record.getMessage()
        return not (
            "triggered tf.function retracing" in message
            and "TensorFlowTrainer._make_function" in message
        )


_RETRACING_FILTER = _KerasRetracingFilter()
_hiding_lock = threading.Lock()
_fits_hiding = 0


@contextlib.contextmanager
def keras_retracing_warnings_hidden(hidden=True):
    """Hide Keras' train-function retracing warnings within the block.

    The filter sits on the ``tensorflow`` logger only while at least one
    such block runs (fits may run in several threads at once); ``hidden``
    False (a verbose fit) leaves the logger alone.
    """
    global _fits_hiding
    if not hidden:
        yield
        return
    logger = logging.getLogger("tensorflow")
    with _hiding_lock:
        if _fits_hiding == 0:
            logger.addFilter(_RETRACING_FILTER)
        _fits_hiding += 1
    try:
        yield
    finally:
        with _hiding_lock:
            _fits_hiding -= 1
            if _fits_hiding == 0:
                logger.removeFilter(_RETRACING_FILTER)


def _min_rank(level):
    try:
        return min(max(int(level), 0), 3)
    except ValueError:
        return 0


def _kept_lines(lines, min_rank):
    """The captured lines that the log level does not hide."""
    kept = []
    dropping = False
    for line in lines:
        match = _ABSL_LINE.match(line)
        if match:
            dropping = _SEVERITY_RANK[match.group(1)] < min_rank
        elif line.startswith(_EARLY_BANNER):
            dropping = min_rank > 0
        # Any other line goes with the line above it: absl messages may run
        # over several lines.
        if not dropping:
            kept.append(line)
    return kept


@contextlib.contextmanager
def _captured_stderr():
    """Send file descriptor 2 to a temporary file; yield a reader of it.

    Python's ``sys.stderr`` is flushed first so nothing written before is
    reordered. Where descriptor 2 cannot be redirected (no such descriptor,
    a restricted sandbox), nothing is captured.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield lambda: []
        return
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as file:
        os.dup2(file.fileno(), 2)
        restored = False

        def read_captured():
            nonlocal restored
            sys.stderr.flush()
            os.dup2(saved, 2)
            restored = True
            file.seek(0)
            return file.readlines()

        try:
            yield read_captured
        finally:
            if not restored:
                os.dup2(saved, 2)
            os.close(saved)
