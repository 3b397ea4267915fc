"""Compiled stand-ins that train small networks without tracing them anew.

Why: Keras traces a new model's train step into a TensorFlow graph on its
first ``fit``, and TensorFlow then optimizes that graph. For a small network
this costs more than the training: 0.5 s for the classic IMDB model, 1.5-2 s
with a recurrent encoder, paid again by every fold of a cross-validation,
every candidate of a grid search and every refit, although their networks
differ only in their weights. So a fit of a small network trains a *trainer*
instead: a compiled copy of the same architecture, loss and optimizer, kept
from an earlier fit with its traced functions. It is loaded with the new
network's initial weights, optimizer state and dropout seed states, trained,
and its final state is copied back, so the network ends exactly as if it had
been trained itself (``tests/_keras/test_trainers.py`` checks this).

A trainer also serves networks that differ only in their vocabulary size
and, but for Flatten, in their input width. Its input width is left open,
and its embedding table has more rows than the network that first needed
it (half as many again, rounded up to one of eight sizes per doubling and
at least 16), and serves any later network of at least 40% of its rows
(``MAX_SPARE_ROWS``); the network's rows are copied into its first ones. The
extra rows are never looked up, so their gradient is zero and they change
no other weight. Why: the folds of a search, its refit on all rows, and
scikit-learn's common checks fit the same settings on data of many
vocabularies and widths; a cross-validation of ``make_text_classifier`` on
CR, whose folds have 59,000-60,000 n-grams against 72,000 in all, traced a
trainer of its own (0.4 s) after a fit on all rows, and now shares it. (A
Transformer's table of position vectors is rounded up alone, to one of
eight sizes per doubling.)

A network gets a trainer from its first fit on, mid-sized ones such as
``make_text_classifier``'s on a few thousand sentences included: the
trainer's trace stands in for the network's own, and copying the state in
and out costs little (on Subj, 4.1 million weights, a first fit took
1.23-1.24 s against 1.14-1.32 s on the network itself, and the next one
0.85-0.91 s against 1.16-1.28 s when only the second fit built the
trainer; interleaved runs of each). Large networks always train on
themselves: their tracing is a small part of their training, and a cached
copy would hold their memory twice. The cache is private to this module,
bounded, thread-safe (a trainer is used by one fit at a time) and changes
no TensorFlow, Keras, NumPy or Python global state (a trainer is built
with a fixed seed).
"""

import collections
import contextlib
import math
import threading

import keras
import numpy as np

from ._networks import OOV_ROWS, build_embedding_network

#: Networks with more weights than this train on themselves. The classic
#: IMDB network has about 85,000 weights on 10,000 words; a fastText-style
#: network on 600,000 n-grams has 9.6 million, and trains for many seconds.
MAX_TRAINER_PARAMETERS = 6_000_000
#: At most this many weights are kept in cached trainers, in all (about
#: 150 MB with two optimizer slots per weight); the least recently used
#: trainers go first. A trainer of the largest network that gets one
#: (MAX_TRAINER_PARAMETERS, with its SPARE_ROWS) fits, beside smaller ones.
MAX_CACHED_PARAMETERS = 2 * MAX_TRAINER_PARAMETERS
#: At most this many trainers are kept, whatever their size: each also holds
#: its traced graphs, which its weight count does not show (about 6 MB more
#: per cached trainer of a small network, measured on 20 of them). Eight
#: were too few for the common checks of one recurrent configuration, which
#: fit about 16 distinct networks in turn: they took 86 s against 64 s.
MAX_CACHED_TRAINERS = 16
#: A trainer's vocabulary, and its number of positions, is rounded up to one
#: of this many sizes per doubling (at most 12.5% more rows), and to at
#: least MIN_TRAINER_ROWS.
SIZES_PER_DOUBLING = 8
MIN_TRAINER_ROWS = 16
#: A new trainer's vocabulary has this many times the rows of the network
#: that needs it (before rounding): the folds of a 5-fold cross-validation
#: have about 80-85% of the n-grams of all the rows, and those of a 3-fold
#: one about 70%, so a trainer made for any of them serves the refit on all
#: rows, and one made for all the rows serves the folds.
SPARE_ROWS = 1.5
#: A trainer serves a network of at least 1 / MAX_SPARE_ROWS of its rows:
#: rows the network lacks are copied too, into the trainer and out of it
#: (the table and Adam's two moments of it), at every fit.
MAX_SPARE_ROWS = 2.5

_cache = collections.OrderedDict()  # key -> list of idle trainers
_cache_lock = threading.Lock()


@contextlib.contextmanager
def trainer_for(model, plan, data_structure, trial=False):
    """Yield a compiled model to train in place of ``model``.

    ``plan`` is the ``(key, network)`` pair of ``model``'s network, from
    :func:`plan_trainer` (None to train ``model`` itself); ``data_structure``
    is what the traced step depends on in the training data (presence of
    sample weights, dtype and shape of the targets). On normal exit, the
    trainer's weights, optimizer state and seed states are copied into
    ``model``; if the block raises, ``model`` is left as it was and the
    trainer is dropped. A ``trial`` (the epoch choice's training) leaves
    ``model`` as it was on exit too: its trainer's state is not copied
    back, or, if ``model`` trains itself, its own state is put back.
    """
    n_parameters = model.count_params()
    if plan is None or n_parameters > MAX_TRAINER_PARAMETERS:
        initial = saved_values(training_variables(model)) if trial else None
        yield model
        if trial:
            restore_values(initial)
        return
    plan_key, network = plan
    key = (plan_key, data_structure)
    rows = table_rows(model)
    trainer = _checkout(key, rows)
    if trainer is None:
        trainer = _new_trainer(model, network, rows)
    copy_training_state(model, trainer)
    # Set by keras.callbacks.BackupAndRestore; a fresh model has none.
    trainer._initial_epoch = None
    yield trainer
    if not trial:
        copy_training_state(trainer, model)
    _checkin(key, trainer)


def training_variables(model):
    """``model``'s weights, optimizer variables and seed states: what
    training changes. An optimizer not yet built is built first, with its
    initial state."""
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    return [*model.weights, *model.optimizer.variables, *seed_states(model)]


def saved_values(variables):
    """Copies of the values of ``variables``, for :func:`restore_values`."""
    return [(variable, np.array(variable.numpy())) for variable in variables]


def restore_values(saved):
    """Put back the values :func:`saved_values` copied."""
    for variable, value in saved:
        variable.assign(value)


def copy_training_state(source, target):
    """Assign ``source``'s :func:`training_variables` to ``target``'s, a
    network of the same architecture and optimizer."""
    _assign(zip(training_variables(source), training_variables(target)))


def copy_weights(source, target):
    """Assign ``source``'s weights to ``target``, a network of the same
    architecture whose embedding table may have fewer rows (a trainer's
    network, or the other way round)."""
    _assign(zip(source.weights, target.weights))


def _assign(pairs):
    """Assign each source variable to its target, rows cut or padded."""
    for source_variable, target_variable in pairs:
        target_variable.assign(_rows_resized(source_variable, target_variable.shape))


def _rows_resized(variable, shape):
    """``variable``'s value cut or zero-padded to ``shape``'s rows.

    A trainer's embedding table, and its optimizer slots, may have more
    rows than the network's; every other variable has the same shape.
    """
    if tuple(variable.shape) == tuple(shape):
        return variable
    value = keras.ops.convert_to_tensor(variable)
    missing = shape[0] - value.shape[0]
    if missing <= 0:
        return value[: shape[0]]
    padding = [(0, missing)] + [(0, 0)] * (len(shape) - 1)
    return keras.ops.pad(value, padding)


def seed_states(model):
    """The states of the seed generators (of the dropout layers): variables
    that training advances, but not weights."""
    weights = {id(weight) for weight in model.weights}
    return [v for v in model.non_trainable_variables if id(v) not in weights]


def plan_trainer(network, compile_settings):
    """How to train a network on a shared trainer: the pair ``(key,
    trainer_network)``.

    ``network`` and ``compile_settings`` are the parameters the network is
    built and compiled with. ``key`` is a string naming everything the
    traced train step depends on but the data; fits with equal keys share
    trainers, which are built from ``trainer_network``. Plain values, as the
    estimators pickle the pair: a loaded ``partial_fit`` stream goes on
    with the cached trainers of its new process.
    """
    optimizer = compile_settings["optimizer"]
    # Keras names each new optimizer uniquely ("adam_2"); the name is not
    # part of the computation.
    optimizer_config = dict(optimizer.get_config(), name=None)
    shared = dict(network, seed=None, embeddings=None)
    # A gradient norm sums over every row of a table: with more rows, in
    # another order, so not to the same last bit.
    more_rows = not (
        optimizer_config.get("clipnorm") or optimizer_config.get("global_clipnorm")
    )
    if more_rows:
        # Any vocabulary: a trainer of enough rows is found by _checkout.
        shared["vocab_size"] = None
    # Flatten has weights for every position, and so does a Transformer: a
    # table of position vectors, which can have more rows.
    if network["pooling"] != "flatten":
        if network["encoder"] != "transformer":
            shared["sequence_length"] = None
        elif more_rows:
            shared["positions"] = _rounded_up(network["sequence_length"])
            shared["sequence_length"] = None
    settings = dict(
        compile_settings, optimizer=(type(optimizer).__qualname__, optimizer_config)
    )
    key = repr((sorted(shared.items()), sorted(settings.items())))
    return key, shared


def _rounded_up(rows):
    """The smallest trainer table size of at least ``rows``."""
    size = max(rows, MIN_TRAINER_ROWS)
    step = 2 ** max(0, math.floor(math.log2(size / SIZES_PER_DOUBLING)))
    return -(-size // step) * step


def clear_trainers():
    """Forget every cached trainer (they are rebuilt when needed)."""
    with _cache_lock:
        _cache.clear()


def table_rows(model):
    """Rows of ``model``'s embedding table (its vocabulary and OOV rows)."""
    return int(model.get_layer("embedding").weights[0].shape[0])


def _new_trainer(model, network, rows):
    """A new network built from ``network``, compiled as ``model`` is,
    whose table has at least ``rows`` rows: ``SPARE_ROWS`` times as many
    if the network's vocabulary is left open."""
    if network["vocab_size"] is None:
        network = dict(
            network, vocab_size=_rounded_up(math.ceil(rows * SPARE_ROWS)) - OOV_ROWS
        )
    # Any fixed seed: the trainer's weights and seed states are overwritten
    # from the model before it trains. Without one, each of its Keras
    # layers would draw a seed from Python's global random module.
    trainer = build_embedding_network(**dict(network, seed=0))
    trainer.compile_from_config(model.get_compile_config())
    return trainer


def _checkout(key, rows):
    """An idle trainer of ``key`` whose table has ``rows`` rows or more, but
    not more than ``MAX_SPARE_ROWS`` times as many (the smallest), or None."""
    with _cache_lock:
        idle = _cache.get(key, [])
        fitting = [t for t in idle if rows <= table_rows(t) <= rows * MAX_SPARE_ROWS]
        if not fitting:
            return None
        trainer = min(fitting, key=table_rows)
        idle.remove(trainer)
        if not idle:
            del _cache[key]
        return trainer


def _checkin(key, trainer):
    with _cache_lock:
        _cache.setdefault(key, []).append(trainer)
        _cache.move_to_end(key)
        while len(_cache) > 1 and (
            _cached_parameters() > MAX_CACHED_PARAMETERS
            or _cached_trainers() > MAX_CACHED_TRAINERS
        ):
            _cache.popitem(last=False)


def _cached_parameters():
    return sum(t.count_params() for idle in _cache.values() for t in idle)


def _cached_trainers():
    return sum(len(idle) for idle in _cache.values())
